#include "backup.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string_view>
#include <utility>
#include <vector>

#include "cw/core/blob_store.hpp"
#include "cw/core/crypto.hpp"
#include "cw/core/time.hpp"

#ifndef CW_VERSION
#define CW_VERSION "dev"
#endif

extern char** environ;

namespace cw::server {

namespace {

namespace fs = std::filesystem;
using core::Error;
using core::ErrorCode;

constexpr const char* kManifestName = "manifest.json";
constexpr const char* kDumpName = "database.sql";
constexpr const char* kFilesDir = "files";
constexpr const char* kFormat = "carewatch-backup";
constexpr int kFormatVersion = 1;
constexpr std::size_t kChunkBytes = 1 << 20;
constexpr std::size_t kMaxToolMessageBytes = 4000;
constexpr std::size_t kMaxNamedFiles = 10;  // in one error message; the count says how many there are in all

// Every column that names a file of the content-addressed store (storage.dir). A table that keeps files must be
// added here, or backups stop guaranteeing its files and restores stop checking them.
constexpr std::array<std::pair<const char*, const char*>, 7> kFileReferences{{
    {"documents", "sha256"},
    {"filing_documents", "sha256"},
    {"inspection_result_evidence", "sha256"},
    {"hazard_evidence", "sha256"},
    {"draws", "pool_digest"},
    {"draws", "inspector_digest"},
    {"draws", "exclusion_digest"},
}};

// The dump writes the audit head on a line of its own as `INSERT INTO `audit_head` VALUES (1,<seq>,'<hash>');`
// (MySQL) or with a line break before the parenthesis (MariaDB). A line break inside a dumped value is escaped, so
// no text a user typed can pass for this line.
constexpr std::string_view kHeadInsert = "\nINSERT INTO `audit_head` VALUES";

Error unavailable(std::string message) { return Error{ErrorCode::Unavailable, std::move(message), {}}; }

std::string systemError(int err) { return std::strerror(err); }

bool isSha256Hex(std::string_view s) {
  return s.size() == 64 &&
         std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

// The content of an empty file: never needs a stored copy (a frozen draw file may be empty).
const std::string& emptySha256() {
  static const std::string kEmpty = core::sha256Hex("");
  return kEmpty;
}

// Where a stored file lives below the store's root, and below the backup's files/ directory: ab/cd/<sha256>.
fs::path blobPath(const std::string& sha256) { return fs::path(sha256.substr(0, 2)) / sha256.substr(2, 2) / sha256; }

std::string humanBytes(std::uint64_t bytes) {
  std::ostringstream s;
  s.precision(1);
  s << std::fixed;
  if (bytes >= (1ull << 30)) s << static_cast<double>(bytes) / (1ull << 30) << " GiB";
  else if (bytes >= (1ull << 20)) s << static_cast<double>(bytes) / (1ull << 20) << " MiB";
  else if (bytes >= (1ull << 10)) s << static_cast<double>(bytes) / (1ull << 10) << " KiB";
  else return std::to_string(bytes) + " bytes";
  return s.str();
}

class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  /// Flushes to disk and closes; false (errno set) when either fails.
  bool syncAndClose() {
    bool ok = ::fsync(fd_) == 0;
    int err = errno;
    ok = ::close(fd_) == 0 && ok;
    fd_ = -1;
    if (!ok && err) errno = err;
    return ok;
  }

 private:
  int fd_;
};

bool writeAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

// Reads the whole file in chunks; false (errno set) on a read error.
template <typename Consume>
bool readChunks(int fd, Consume consume) {
  std::string buffer(kChunkBytes, '\0');
  for (;;) {
    ssize_t n = ::read(fd, buffer.data(), buffer.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    if (n == 0) return true;
    consume(std::string_view(buffer.data(), static_cast<std::size_t>(n)));
  }
}

void syncDirectory(const fs::path& dir) {
  int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

struct FileDigest {
  std::string sha256;
  std::uint64_t size = 0;
};

// NotFound when the file is not there.
core::Result<FileDigest> digestFile(const fs::path& path) {
  FileDescriptor in(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!in.valid()) {
    if (errno == ENOENT) return Error::notFound(path.string() + " is missing");
    return unavailable("cannot read " + path.string() + ": " + systemError(errno));
  }
  core::Sha256Stream hash;
  FileDigest digest;
  if (!readChunks(in.get(), [&](std::string_view chunk) {
        hash.update(chunk);
        digest.size += chunk.size();
      })) {
    return unavailable("cannot read " + path.string() + ": " + systemError(errno));
  }
  digest.sha256 = hash.finishHex();
  return digest;
}

// Copies `from` to the new file `to` (mode 0600), flushed to disk; returns the digest of what was read.
core::Result<FileDigest> copyFile(const fs::path& from, const fs::path& to) {
  FileDescriptor in(::open(from.c_str(), O_RDONLY | O_CLOEXEC));
  if (!in.valid()) return unavailable("cannot read " + from.string() + ": " + systemError(errno));
  FileDescriptor out(::open(to.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (!out.valid()) return unavailable("cannot write " + to.string() + ": " + systemError(errno));
  core::Sha256Stream hash;
  FileDigest digest;
  bool written = true;
  int writeError = 0;
  bool read = readChunks(in.get(), [&](std::string_view chunk) {
    hash.update(chunk);
    digest.size += chunk.size();
    if (written && !writeAll(out.get(), chunk)) {
      written = false;
      writeError = errno;
    }
  });
  if (!read) return unavailable("cannot read " + from.string() + ": " + systemError(errno));
  if (!written) return unavailable("cannot write " + to.string() + ": " + systemError(writeError));
  if (!out.syncAndClose()) return unavailable("cannot write " + to.string() + ": " + systemError(errno));
  digest.sha256 = hash.finishHex();
  return digest;
}

// Removes a directory tree when the operation that builds it fails, so a failed backup leaves nothing behind.
class RemoveUnlessKept {
 public:
  explicit RemoveUnlessKept(fs::path path) : path_(std::move(path)) {}
  RemoveUnlessKept(const RemoveUnlessKept&) = delete;
  RemoveUnlessKept& operator=(const RemoveUnlessKept&) = delete;
  ~RemoveUnlessKept() {
    if (path_.empty()) return;
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  void keep() { path_.clear(); }

 private:
  fs::path path_;
};

std::optional<std::string> findOnPath(const std::string& name) {
  const char* variable = std::getenv("PATH");
  std::string_view path = variable ? variable : "/usr/local/bin:/usr/bin:/bin";
  while (true) {
    auto colon = path.find(':');
    std::string_view entry = path.substr(0, colon);
    fs::path candidate = fs::path(entry.empty() ? "." : std::string(entry)) / name;
    std::error_code ec;
    if (fs::is_regular_file(candidate, ec) && ::access(candidate.c_str(), X_OK) == 0) return candidate.string();
    if (colon == std::string_view::npos) return std::nullopt;
    path.remove_prefix(colon + 1);
  }
}

struct ToolOutcome {
  int status = 0;        // the exit code, or minus the signal that ended it
  std::string messages;  // what it wrote to standard error (and standard output, unless that went to a file)
};

// Runs a client tool to completion: standard input from `input` (empty: /dev/null), standard output to
// `outputFd` (negative: with the messages). The child gets this process's environment and none of its other
// descriptors (the database connections).
core::Result<ToolOutcome> runTool(const std::vector<std::string>& argv, const std::string& input, int outputFd) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> messages(std::tmpfile(), &std::fclose);
  if (!messages) return unavailable("cannot create a temporary file: " + systemError(errno));
  int messagesFd = ::fileno(messages.get());
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  std::string inputPath = input.empty() ? "/dev/null" : input;
  posix_spawn_file_actions_addopen(&actions, 0, inputPath.c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, outputFd >= 0 ? outputFd : messagesFd, 1);
  posix_spawn_file_actions_adddup2(&actions, messagesFd, 2);
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
  posix_spawn_file_actions_addclosefrom_np(&actions, 3);
#endif
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  int spawned = ::posix_spawn(&pid, argv[0].c_str(), &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) return unavailable("cannot start " + argv[0] + ": " + systemError(spawned));
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return unavailable("cannot wait for " + argv[0] + ": " + systemError(errno));
  }
  ToolOutcome outcome;
  outcome.status = WIFEXITED(status) ? WEXITSTATUS(status) : WIFSIGNALED(status) ? -WTERMSIG(status) : -1;
  std::string text;
  std::rewind(messages.get());
  char buffer[4096];
  std::size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, messages.get())) > 0) text.append(buffer, n);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
  if (text.size() > kMaxToolMessageBytes) text = "..." + text.substr(text.size() - kMaxToolMessageBytes);
  outcome.messages = std::move(text);
  return outcome;
}

std::string describeFailure(const std::string& what, const ToolOutcome& outcome) {
  std::string how = outcome.status >= 0 ? "exit " + std::to_string(outcome.status)
                                        : "killed by signal " + std::to_string(-outcome.status);
  return what + " failed (" + how + ")" + (outcome.messages.empty() ? "" : ": " + outcome.messages);
}

// The database password for a client tool, in a temporary option file only this user can read (the [client]
// group, read by mariadb, mariadb-dump, mysql and mysqldump), so it appears on no command line and in no
// environment. Removed when the object goes.
class ClientOptionFile {
 public:
  static core::Result<std::unique_ptr<ClientOptionFile>> create(const std::string& password) {
    std::string name = (fs::temp_directory_path() / "cw-client-XXXXXX").string();
    FileDescriptor fd(::mkstemp(name.data()));  // mode 0600
    if (!fd.valid()) return unavailable("cannot create a temporary option file: " + systemError(errno));
    auto file = std::unique_ptr<ClientOptionFile>(new ClientOptionFile(name));
    std::string text = "[client]\n";
    if (!password.empty()) {
      // Quoted, with the escapes the option-file reader undoes.
      std::string quoted;
      for (char c : password) {
        if (c == '\\' || c == '"') quoted += '\\';
        if (c == '\n') quoted += "\\n";
        else if (c == '\r') quoted += "\\r";
        else if (c == '\t') quoted += "\\t";
        else quoted += c;
      }
      text += "password=\"" + quoted + "\"\n";
    }
    if (!writeAll(fd.get(), text)) return unavailable("cannot write a temporary option file: " + systemError(errno));
    return file;
  }
  ClientOptionFile(const ClientOptionFile&) = delete;
  ClientOptionFile& operator=(const ClientOptionFile&) = delete;
  ~ClientOptionFile() { ::unlink(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  explicit ClientOptionFile(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

struct Tool {
  std::string path;
  std::string name;
  std::string version;  // the first line of --version
  bool mysql = false;   // Oracle's MySQL tool rather than MariaDB's
};

// The first of `names` found on PATH, with its version.
core::Result<Tool> findTool(std::initializer_list<const char*> names, const std::string& missing) {
  for (const char* name : names) {
    auto path = findOnPath(name);
    if (!path) continue;
    Tool tool{*path, name, "", false};
    auto ran = runTool({*path, "--version"}, "", -1);
    if (!ran) return ran.error();
    if (ran->status != 0) return unavailable(describeFailure(*path + " --version", *ran));
    tool.version = ran->messages.substr(0, ran->messages.find('\n'));
    tool.mysql = tool.version.find("MariaDB") == std::string::npos;
    return tool;
  }
  return unavailable(missing);
}

// The connection options every tool gets after --defaults-file (which must come first): the same server and
// user as the pool, over TCP unless db.socket is set.
std::vector<std::string> clientCommand(const Tool& tool, const ClientOptionFile& options, const db::PoolConfig& db) {
  std::vector<std::string> argv{tool.path, "--defaults-file=" + options.path()};
  if (!db.socket.empty()) {
    argv.insert(argv.end(), {"--protocol=SOCKET", "--socket=" + db.socket});
  } else {
    argv.insert(argv.end(), {"--protocol=TCP", "--host=" + db.host, "--port=" + std::to_string(db.port)});
  }
  argv.insert(argv.end(), {"--user=" + db.user, "--default-character-set=utf8mb4"});
  return argv;
}

struct AuditHead {
  std::int64_t seq = 0;
  std::string hash;
};

std::string endpoint(const db::PoolConfig& db) {
  return db.socket.empty() ? db.host + ":" + std::to_string(db.port) : db.socket;
}

std::string whereDatabase(const db::PoolConfig& db) { return "database " + db.database + " at " + endpoint(db); }

// "cannot reach the database <name> at <where>: <the driver's reason>", without the pool's own prefix.
Error unreachable(const db::PoolConfig& db, const db::Unavailable& e) {
  std::string what = e.what();
  std::string marker = endpoint(db) + ": ";
  auto at = what.find(marker);
  return unavailable("cannot reach the " + whereDatabase(db) + ": " +
                     (at == std::string::npos ? what : what.substr(at + marker.size())));
}

// The head of the audit chain and the last migration applied, read to check that the database is reachable and
// is a carewatch database before anything is written.
struct DatabaseState {
  AuditHead head;
  std::string lastMigration;
};

core::Result<DatabaseState> readDatabaseState(db::Pool& pool) {
  const db::PoolConfig& db = pool.config();
  try {
    auto lease = pool.acquire();
    auto head = lease->query("SELECT last_seq, last_hash FROM audit_head WHERE id = 1");
    if (head.empty()) return Error::precondition(whereDatabase(db) + " has no audit head row: the chain is damaged");
    DatabaseState state{{head[0].i64("last_seq"), head[0].str("last_hash")}, ""};
    auto migration = lease->query("SELECT name FROM schema_migrations ORDER BY version DESC LIMIT 1");
    if (!migration.empty()) state.lastMigration = migration[0].str("name");
    return state;
  } catch (const db::Unavailable& e) {
    return unreachable(db, e);
  } catch (const db::DbError& e) {
    if (e.code() == 1146) {
      return Error::precondition(whereDatabase(db) + " has no carewatch tables (audit_head, schema_migrations): " +
                                 "not a carewatch database, or not migrated");
    }
    return unavailable("cannot read the " + whereDatabase(db) + ": " + e.what());
  }
}

// Every file the database refers to, each with the first column that names it ("hazard_evidence.sha256").
std::map<std::string, std::string> referencedFiles(db::Connection& c) {
  std::map<std::string, std::string> files;
  for (const auto& [table, column] : kFileReferences) {
    for (const auto& row : c.query(std::string("SELECT DISTINCT ") + column + " AS sha FROM " + table)) {
      std::string sha = row.str("sha");
      if (sha != emptySha256()) files.emplace(sha, std::string(table) + "." + column);
    }
  }
  return files;
}

std::string listFiles(const std::map<std::string, std::string>& files) {
  std::string text;
  std::size_t shown = 0;
  for (const auto& [sha, where] : files) {
    if (shown == kMaxNamedFiles) {
      text += ", and " + std::to_string(files.size() - shown) + " more";
      break;
    }
    text += (shown++ ? ", " : "") + sha + " (" + where + ")";
  }
  return text;
}

std::optional<AuditHead> parseHeadRow(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
  if (text.substr(i, 3) != "(1,") return std::nullopt;
  i += 3;
  std::size_t digits = i;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
  if (i == digits || i - digits > 18 || text.substr(i, 2) != ",'") return std::nullopt;
  AuditHead head{std::stoll(std::string(text.substr(digits, i - digits))), std::string(text.substr(i + 2, 64))};
  if (!isSha256Hex(head.hash) || text.substr(i + 66, 2) != "')") return std::nullopt;
  return head;
}

struct DumpScan {
  FileDigest digest;
  std::optional<AuditHead> head;
};

// Hashes the dump and finds the audit head it holds: the head of the very snapshot the dump was read from.
core::Result<DumpScan> scanDump(const fs::path& path) {
  FileDescriptor in(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!in.valid()) return unavailable("cannot read " + path.string() + ": " + systemError(errno));
  core::Sha256Stream hash;
  DumpScan scan;
  std::string carry;  // the end of the previous chunk, for an INSERT that straddles two chunks
  std::optional<std::uint64_t> headAt;
  if (!readChunks(in.get(), [&](std::string_view chunk) {
        hash.update(chunk);
        if (!headAt) {
          std::string window = carry + std::string(chunk);
          if (auto at = window.find(kHeadInsert); at != std::string::npos) {
            headAt = scan.digest.size - carry.size() + at + kHeadInsert.size();
          }
          carry = window.substr(window.size() - std::min(window.size(), kHeadInsert.size()));
        }
        scan.digest.size += chunk.size();
      })) {
    return unavailable("cannot read " + path.string() + ": " + systemError(errno));
  }
  scan.digest.sha256 = hash.finishHex();
  if (headAt) {
    std::string row(128, '\0');
    ssize_t n = ::pread(in.get(), row.data(), row.size(), static_cast<off_t>(*headAt));
    if (n > 0) scan.head = parseHeadRow(std::string_view(row.data(), static_cast<std::size_t>(n)));
  }
  return scan;
}

struct StoredFile {
  std::string sha256;
  std::uint64_t size = 0;
};

// Copies every file of the store (names that are a SHA-256 at ab/cd/<sha256>; not the uploads in progress under
// .incoming nor temporaries) into `target`, checking each against its name. A store that does not exist yet is
// empty.
core::Result<std::vector<StoredFile>> copyStore(const fs::path& store, const fs::path& target) {
  std::vector<StoredFile> copied;
  std::set<fs::path> directories{target};
  std::error_code ec;
  if (::mkdir(target.c_str(), 0700) != 0) return unavailable("cannot create " + target.string() + ": " + systemError(errno));
  if (!fs::exists(store, ec)) return copied;
  fs::recursive_directory_iterator it(store, ec), end;
  for (; !ec && it != end; it.increment(ec)) {
    const fs::directory_entry& entry = *it;
    std::error_code typeError;
    if (entry.is_directory(typeError)) {
      if (entry.path().filename() == ".incoming") it.disable_recursion_pending();
      continue;
    }
    std::string name = entry.path().filename().string();
    if (!entry.is_regular_file(typeError) || !isSha256Hex(name)) continue;
    if (entry.path().lexically_relative(store) != blobPath(name)) continue;  // not where the store puts it
    fs::path to = target / blobPath(name);
    for (const fs::path& dir : {to.parent_path().parent_path(), to.parent_path()}) {
      if (directories.insert(dir).second && ::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
        return unavailable("cannot create " + dir.string() + ": " + systemError(errno));
      }
    }
    auto digest = copyFile(entry.path(), to);
    if (!digest) return digest.error();
    if (digest->sha256 != name) {
      return Error::precondition("the stored file " + entry.path().string() + " no longer matches its name (its " +
                                 "SHA-256 is " + digest->sha256 + "): it was damaged on disk");
    }
    copied.push_back({name, digest->size});
  }
  if (ec) return unavailable("cannot read the file store " + store.string() + ": " + ec.message());
  for (const auto& dir : directories) syncDirectory(dir);
  std::sort(copied.begin(), copied.end(), [](const auto& a, const auto& b) { return a.sha256 < b.sha256; });
  return copied;
}

Poco::JSON::Object::Ptr fileEntry(const std::string& path, const std::string& sha256, std::uint64_t size) {
  Poco::JSON::Object::Ptr o = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
  o->set("path", path);
  o->set("sha256", sha256);
  o->set("size_bytes", static_cast<Poco::UInt64>(size));
  return o;
}

struct ManifestFile {
  std::string path;  // relative to the backup directory
  std::string sha256;
  std::uint64_t size = 0;
};

struct Manifest {
  std::string createdAt;
  std::string carewatchVersion;
  std::string database;
  AuditHead head;
  ManifestFile dump;
  std::vector<ManifestFile> files;
};

core::Result<Manifest> readManifest(const fs::path& dir) {
  fs::path path = dir / kManifestName;
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) {
    return Error::precondition(dir.string() + " has no " + kManifestName +
                               ": not a carewatch backup, or one that did not finish");
  }
  std::string text;
  {
    FileDescriptor in(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!in.valid() || !readChunks(in.get(), [&](std::string_view chunk) { text.append(chunk); })) {
      return unavailable("cannot read " + path.string() + ": " + systemError(errno));
    }
  }
  auto bad = [&](const std::string& why) { return Error::precondition(path.string() + " is not valid: " + why); };
  Manifest m;
  try {
    auto root = Poco::JSON::Parser().parse(text).extract<Poco::JSON::Object::Ptr>();
    if (!root || root->optValue<std::string>("format", "") != kFormat) return bad("not a carewatch backup manifest");
    int version = root->getValue<int>("format_version");
    if (version != kFormatVersion) {
      return bad("format_version " + std::to_string(version) + " (this carewatch reads version " +
                 std::to_string(kFormatVersion) + ")");
    }
    m.createdAt = root->getValue<std::string>("created_at");
    m.carewatchVersion = root->getValue<std::string>("carewatch_version");
    m.database = root->getValue<std::string>("database");
    auto head = root->getObject("audit_head");
    if (!head) return bad("no audit_head");
    m.head = {head->getValue<std::int64_t>("last_seq"), head->getValue<std::string>("last_hash")};
    auto readEntry = [](const Poco::JSON::Object::Ptr& o) {
      return ManifestFile{o->getValue<std::string>("path"), o->getValue<std::string>("sha256"),
                          o->getValue<Poco::UInt64>("size_bytes")};
    };
    auto dump = root->getObject("dump");
    if (!dump) return bad("no dump");
    m.dump = readEntry(dump);
    if (m.dump.path != kDumpName || !isSha256Hex(m.dump.sha256)) return bad("the dump entry is malformed");
    auto files = root->getArray("files");
    if (!files) return bad("no files");
    for (std::size_t i = 0; i < files->size(); ++i) {
      auto entry = readEntry(files->getObject(static_cast<unsigned>(i)));
      // Only paths carewatch writes, so a manifest cannot make restore read or write outside the backup.
      if (!isSha256Hex(entry.sha256) || entry.path != (fs::path(kFilesDir) / blobPath(entry.sha256)).string()) {
        return bad("files[" + std::to_string(i) + "] is malformed");
      }
      m.files.push_back(std::move(entry));
    }
  } catch (const Poco::Exception& e) {
    return bad(e.displayText());
  } catch (const std::exception& e) {
    return bad(e.what());
  }
  return m;
}

// Every file of the manifest, re-read and hashed; FailedPrecondition names the first that differs.
core::Result<ManifestCheck> checkManifest(const fs::path& dir, const Manifest& m) {
  ManifestCheck check{m.database, m.createdAt, m.dump.size, m.files.size(), 0, m.head.seq};
  std::vector<const ManifestFile*> all{&m.dump};
  for (const auto& f : m.files) {
    all.push_back(&f);
    check.fileBytes += f.size;
  }
  for (const ManifestFile* f : all) {
    auto digest = digestFile(dir / f->path);
    if (!digest) {
      if (digest.error().code == ErrorCode::NotFound) {
        return Error::precondition("the backup is incomplete: " + (dir / f->path).string() + " is missing");
      }
      return digest.error();
    }
    if (digest->sha256 != f->sha256 || digest->size != f->size) {
      return Error::precondition("the backup is damaged: " + (dir / f->path).string() + " does not match the manifest (" +
                                 std::to_string(digest->size) + " bytes, SHA-256 " + digest->sha256 + "; expected " +
                                 std::to_string(f->size) + " bytes, " + f->sha256 + ")");
    }
  }
  return check;
}

fs::path withoutTrailingSlash(const std::string& text) {
  fs::path p = fs::path(text).lexically_normal();
  if (p.filename().empty() && p.has_parent_path()) p = p.parent_path();
  return p;
}

std::int64_t countTables(db::Connection& c) {
  auto rows = c.query("SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = DATABASE()");
  return rows[0].i64("n");
}

double secondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

core::Result<BackupReport> backup(App& app, const std::string& dirText) {
  auto started = std::chrono::steady_clock::now();
  const Config& config = app.config();
  if (dirText.empty()) return Error::invalid("out", "--out needs the directory to write the backup to");
  fs::path dir = withoutTrailingSlash(dirText);
  std::error_code ec;
  if (fs::exists(dir, ec)) {
    if (!fs::is_directory(dir, ec)) return Error::precondition(dir.string() + " exists and is not a directory");
    if (!fs::is_empty(dir, ec)) {
      return Error::precondition(dir.string() + " exists and is not empty: a backup never replaces another; " +
                                 "choose a new directory");
    }
  }
  fs::path partial = dir;
  partial += ".partial";
  if (fs::exists(partial, ec)) {
    return Error::precondition(partial.string() + " exists (left by an interrupted backup?): remove it first");
  }
  auto dumpTool = findTool({"mariadb-dump", "mysqldump"},
                           "neither mariadb-dump nor mysqldump is on PATH: install the MariaDB or MySQL client");
  if (!dumpTool) return dumpTool.error();
  auto before = readDatabaseState(app.pool());
  if (!before) return before.error();

  if (dir.has_parent_path()) fs::create_directories(dir.parent_path(), ec);
  if (::mkdir(partial.c_str(), 0700) != 0) {
    return unavailable("cannot create " + partial.string() + ": " + systemError(errno));
  }
  RemoveUnlessKept cleanup(partial);

  // 1. The dump: every table read in one snapshot (--single-transaction), without locking writers.
  auto options = ClientOptionFile::create(config.db.password);
  if (!options) return options.error();
  fs::path dumpPath = partial / kDumpName;
  {
    FileDescriptor out(::open(dumpPath.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    if (!out.valid()) return unavailable("cannot create " + dumpPath.string() + ": " + systemError(errno));
    auto argv = clientCommand(*dumpTool, **options, config.db);
    // No tablespace information: it needs the PROCESS privilege on MySQL 8 and means nothing to a restore.
    argv.insert(argv.end(), {"--single-transaction", "--quick", "--no-tablespaces", "--hex-blob"});
    if (dumpTool->mysql) argv.push_back("--set-gtid-purged=OFF");  // a restore must not need SUPER
    argv.push_back(config.db.database);
    auto ran = runTool(argv, "", out.get());
    if (!ran) return ran.error();
    if (ran->status != 0) return unavailable(describeFailure(dumpTool->name, *ran));
    if (!out.syncAndClose()) return unavailable("cannot write " + dumpPath.string() + ": " + systemError(errno));
  }
  auto scan = scanDump(dumpPath);
  if (!scan) return scan.error();
  if (!scan->head) {
    return Error{ErrorCode::Internal, dumpTool->name + " wrote no audit_head row (" + dumpPath.string() +
                                          "): the dump is not usable", {}};
  }
  if (scan->head->seq < before->head.seq) {
    return Error{ErrorCode::Internal, "the dump's audit head (" + std::to_string(scan->head->seq) +
                                          ") is behind the one read before it (" + std::to_string(before->head.seq) +
                                          ")", {}};
  }

  // 2. What the database refers to, read after the dump: references are only ever added, so this covers the
  // dump's. 3. Then the store: a file is stored before the row naming it commits, so every one is there now.
  std::map<std::string, std::string> referenced;
  try {
    auto lease = app.pool().acquire();
    referenced = referencedFiles(*lease);
  } catch (const db::Unavailable& e) {
    return unreachable(config.db, e);
  }
  auto copied = copyStore(withoutTrailingSlash(config.registry.storageDir), partial / kFilesDir);
  if (!copied) return copied.error();
  std::set<std::string> present;
  for (const auto& f : *copied) present.insert(f.sha256);
  std::map<std::string, std::string> missing;
  for (const auto& [sha, where] : referenced) {
    if (!present.count(sha)) missing.emplace(sha, where);
  }
  if (!missing.empty()) {
    return Error::precondition(std::to_string(missing.size()) + " file(s) the database refers to are missing from " +
                               "the file store " + config.registry.storageDir + ", so the backup could not be " +
                               "restored completely: " + listFiles(missing));
  }

  // 4. The manifest, last: a directory with a manifest is complete.
  Poco::JSON::Object manifest(Poco::JSON_PRESERVE_KEY_ORDER);
  manifest.set("format", kFormat);
  manifest.set("format_version", kFormatVersion);
  manifest.set("created_at", core::formatIsoUtc(app.clock().now()));
  manifest.set("carewatch_version", CW_VERSION);
  manifest.set("database", config.db.database);
  manifest.set("last_migration", before->lastMigration);
  manifest.set("dump_tool", dumpTool->version);
  Poco::JSON::Object::Ptr head = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
  head->set("last_seq", static_cast<Poco::Int64>(scan->head->seq));
  head->set("last_hash", scan->head->hash);
  manifest.set("audit_head", head);
  manifest.set("dump", fileEntry(kDumpName, scan->digest.sha256, scan->digest.size));
  Poco::JSON::Array::Ptr files = new Poco::JSON::Array();
  BackupReport report;
  for (const auto& f : *copied) {
    files->add(fileEntry((fs::path(kFilesDir) / blobPath(f.sha256)).string(), f.sha256, f.size));
    report.fileBytes += f.size;
  }
  manifest.set("files", files);
  std::ostringstream text;
  manifest.stringify(text, 2);
  text << '\n';
  {
    fs::path path = partial / kManifestName;
    FileDescriptor out(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    if (!out.valid() || !writeAll(out.get(), text.str()) || !out.syncAndClose()) {
      return unavailable("cannot write " + path.string() + ": " + systemError(errno));
    }
  }
  syncDirectory(partial);

  // 5. Published under its real name in one rename (which also replaces an empty directory of that name).
  if (::rename(partial.c_str(), dir.c_str()) != 0) {
    return unavailable("cannot rename " + partial.string() + " to " + dir.string() + ": " + systemError(errno));
  }
  cleanup.keep();
  syncDirectory(dir.parent_path());

  report.dir = dir.string();
  report.database = config.db.database;
  report.dumpBytes = scan->digest.size;
  report.files = copied->size();
  report.auditSeq = scan->head->seq;
  report.auditHash = scan->head->hash;
  report.seconds = secondsSince(started);
  return report;
}

core::Result<ManifestCheck> verifyBackup(const std::string& dirText) {
  fs::path dir = withoutTrailingSlash(dirText);
  auto manifest = readManifest(dir);
  if (!manifest) return manifest.error();
  return checkManifest(dir, *manifest);
}

core::Result<RestoreReport> restore(App& app, const std::string& dirText) {
  auto started = std::chrono::steady_clock::now();
  const Config& config = app.config();
  if (dirText.empty()) return Error::invalid("from", "--from needs the backup directory");
  fs::path dir = withoutTrailingSlash(dirText);

  // 1. The whole backup is checked before anything is written.
  auto manifest = readManifest(dir);
  if (!manifest) return manifest.error();
  if (auto checked = checkManifest(dir, *manifest); !checked) return checked.error();
  auto client = findTool({"mariadb", "mysql"}, "neither mariadb nor mysql is on PATH: install the MariaDB or MySQL client");
  if (!client) return client.error();

  // 2. Only into an empty database, which the operator created.
  RestoreReport report;
  report.database = config.db.database;
  try {
    auto lease = app.pool().acquire();
    auto tables = countTables(*lease);
    if (tables > 0) {
      return Error::precondition("the " + whereDatabase(config.db) + " is not empty (" + std::to_string(tables) +
                                 " tables): restore only into a new, empty database");
    }
  } catch (const db::Unavailable& e) {
    return unreachable(config.db, e);
  } catch (const db::DbError& e) {
    return unavailable("cannot open the " + whereDatabase(config.db) + " (create it first, empty, with utf8mb4): " +
                       e.what());
  }

  // 3. The files, before the dump: files nothing refers to yet are harmless, rows naming missing files are not.
  core::BlobStore store(config.registry.storageDir);
  std::vector<const ManifestFile*> toCopy;
  for (const auto& f : manifest->files) {
    auto existing = digestFile(store.pathOf(f.sha256));
    if (!existing) {
      if (existing.error().code != ErrorCode::NotFound) return existing.error();
      toCopy.push_back(&f);
    } else if (existing->sha256 != f.sha256) {
      return Error::precondition("the file store already holds a different file under " + store.pathOf(f.sha256) +
                                 " (damaged on disk): move it away, then restore again");
    }
  }
  for (const ManifestFile* f : toCopy) {
    auto writer = store.begin();
    if (!writer) return writer.error();
    fs::path from = dir / f->path;
    FileDescriptor in(::open(from.c_str(), O_RDONLY | O_CLOEXEC));
    if (!in.valid()) return unavailable("cannot read " + from.string() + ": " + systemError(errno));
    core::Status written = core::Ok{};
    if (!readChunks(in.get(), [&](std::string_view chunk) {
          if (written) written = writer->write(chunk);
        })) {
      return unavailable("cannot read " + from.string() + ": " + systemError(errno));
    }
    if (!written) return written.error();
    auto stored = writer->commit();
    if (!stored) return stored.error();
    if (stored->sha256 != f->sha256) {
      if (stored->created) store.remove(stored->sha256);
      return Error::precondition(from.string() + " changed while it was restored (SHA-256 " + stored->sha256 + ")");
    }
    ++report.filesCopied;
  }
  report.filesPresent = manifest->files.size();

  // 4. The dump.
  auto options = ClientOptionFile::create(config.db.password);
  if (!options) return options.error();
  auto argv = clientCommand(*client, **options, config.db);
  argv.insert(argv.end(), {"--binary-mode", config.db.database});
  auto ran = runTool(argv, (dir / kDumpName).string(), -1);
  if (!ran) return ran.error();
  if (ran->status != 0) {
    return unavailable(describeFailure("loading " + (dir / kDumpName).string() + " with " + client->name, *ran) +
                       "\nThe database is partly loaded: drop it, create it empty again and rerun the restore.");
  }

  // 5. Verified as `carewatch audit verify` does, plus the head and every file the database refers to.
  auto lease = app.pool().acquire();
  report.tables = countTables(*lease);
  auto chain = app.audit().verify(*lease);
  if (!chain.ok) {
    return Error::precondition("the restored audit chain is BROKEN at record " + std::to_string(*chain.brokenSeq) +
                               ": " + chain.problem + " (" + std::to_string(chain.checked) + " records before it verified)");
  }
  report.auditRecords = chain.checked;
  auto head = lease->query("SELECT last_seq, last_hash FROM audit_head WHERE id = 1");
  if (head.empty() || head[0].i64("last_seq") != manifest->head.seq || head[0].str("last_hash") != manifest->head.hash) {
    return Error::precondition("the restored audit head is not the one in the manifest (record " +
                               std::to_string(manifest->head.seq) + ", " + manifest->head.hash + ")");
  }
  std::map<std::string, std::string> bad;
  for (const auto& [sha, where] : referencedFiles(*lease)) {
    auto digest = digestFile(store.pathOf(sha));
    if (!digest) {
      if (digest.error().code != ErrorCode::NotFound) return digest.error();
      bad.emplace(sha, where + ", missing");
    } else if (digest->sha256 != sha) {
      bad.emplace(sha, where + ", content differs");
    } else {
      ++report.filesVerified;
    }
  }
  if (!bad.empty()) {
    return Error::precondition(std::to_string(bad.size()) + " file(s) the restored database refers to are not in " +
                               "the file store " + config.registry.storageDir + " intact: " + listFiles(bad));
  }
  report.seconds = secondsSince(started);
  return report;
}

std::string describe(const BackupReport& r) {
  std::ostringstream s;
  s.precision(1);
  s << std::fixed << "backup written to " << r.dir << ": database " << r.database << " (" << humanBytes(r.dumpBytes)
    << " dump, audit head at record " << r.auditSeq << "), " << r.files << " stored file(s) ("
    << humanBytes(r.fileBytes) << "), in " << r.seconds << " s\n";
  return s.str();
}

std::string describe(const RestoreReport& r) {
  std::ostringstream s;
  s.precision(1);
  s << std::fixed << "restored database " << r.database << ": " << r.tables << " tables; audit chain intact, "
    << r.auditRecords << " records verified, head as in the manifest; " << r.filesPresent
    << " stored file(s) in place (" << r.filesCopied << " copied); " << r.filesVerified
    << " file(s) the database refers to verified; in " << r.seconds << " s\n";
  return s.str();
}

std::string describe(const std::string& dir, const ManifestCheck& c) {
  return "backup " + dir + " is intact: database " + c.database + " taken " + c.createdAt + ", " +
         humanBytes(c.dumpBytes) + " dump (audit head at record " + std::to_string(c.auditSeq) + "), " +
         std::to_string(c.files) + " stored file(s) (" + humanBytes(c.fileBytes) + ") match the manifest\n";
}

}  // namespace cw::server
