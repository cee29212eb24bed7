#pragma once
// carewatch backup / restore: a logical dump of the database (mariadb-dump or mysqldump in one snapshot), a copy
// of the content-addressed file store (storage.dir) and a manifest of the SHA-256 and size of every file, written
// under DIR.partial and renamed to DIR only when complete; and the restore of such a directory into an empty
// database, verified afterwards (the audit chain, every file the database refers to). docs/operations.md,
// "Backups and restore".
//
// The dump tools are found on PATH. The database password reaches them through a temporary option file of mode
// 0600, never on a command line or in the environment. The personal-data keys are not part of a backup.
//
// Errors: every expected failure (a directory that exists, a tool or the database that cannot be reached, a file
// missing from the store, a damaged backup, a target database that is not empty) is returned as a core::Error
// whose message names the thing; infrastructure faults of the running restore (the database going away in the
// middle) still throw db::Unavailable.

#include <cstdint>
#include <string>

#include "cw/core/result.hpp"
#include "cw/server/app.hpp"

namespace cw::server {

struct BackupReport {
  std::string dir;
  std::string database;
  std::uint64_t dumpBytes = 0;
  std::uint64_t files = 0;
  std::uint64_t fileBytes = 0;
  std::int64_t auditSeq = 0;  // the audit head inside the dump
  std::string auditHash;
  double seconds = 0;
};

/// Writes a new backup of app's database and file store into `dir`, which must not exist or be empty. Nothing
/// is left behind on failure (DIR.partial is removed), and a file the database refers to but the store lacks
/// fails the backup, naming it.
core::Result<BackupReport> backup(App& app, const std::string& dir);

struct ManifestCheck {
  std::string database;
  std::string createdAt;
  std::uint64_t dumpBytes = 0;
  std::uint64_t files = 0;
  std::uint64_t fileBytes = 0;
  std::int64_t auditSeq = 0;
};

/// Checks a backup directory against its manifest (the dump and every file: size and SHA-256) without touching
/// any database. FailedPrecondition names the first file that does not match.
core::Result<ManifestCheck> verifyBackup(const std::string& dir);

struct RestoreReport {
  std::string database;
  std::int64_t tables = 0;
  std::int64_t auditRecords = 0;
  std::uint64_t filesCopied = 0;    // written into the store (the others were there already, identical)
  std::uint64_t filesPresent = 0;   // every file of the backup, now in the store
  std::uint64_t filesVerified = 0;  // files the restored database refers to, re-read and hashed
  double seconds = 0;
};

/// Restores the backup in `dir` into app's database, which must exist and have no table, and its file store.
/// Checks the whole backup first (nothing is written when a file is damaged), copies the files (refusing to
/// replace a different file under the same name), loads the dump, then verifies the audit chain, the audit head
/// against the manifest, and the SHA-256 of every file the database refers to.
core::Result<RestoreReport> restore(App& app, const std::string& dir);

/// One line for the operator, ending in a newline.
std::string describe(const BackupReport& report);
std::string describe(const RestoreReport& report);
std::string describe(const std::string& dir, const ManifestCheck& check);

}  // namespace cw::server
