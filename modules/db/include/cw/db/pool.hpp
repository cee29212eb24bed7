#pragma once
// Connection pool over MySQL Connector/C++ 1.1 for MySQL 8 and MariaDB 10.6+.
//
// Thread-safety: Pool is thread-safe. A Lease (and the Connection it holds) belongs to the one thread that
// acquired it and must not be shared. Each thread that uses the pool is registered with the driver
// (threadInit) on first use and unregistered (threadEnd) when it exits.
//
// Errors: a database that cannot be reached, or a connection lost mid-request, throws db::Unavailable (the API
// answers 503). Other server errors throw db::DbError with the server's error code. Neither is an expected
// failure of a use case; repositories translate the ones that are (a duplicate key) into Result errors.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <condition_variable>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "cw/db/rows.hpp"

namespace cw::db {

struct PoolConfig {
  std::string host = "127.0.0.1";
  int port = 3306;
  std::string socket;  // a unix socket path; when set, used instead of host:port
  std::string user = "carewatch";
  std::string password;
  std::string database = "carewatch";
  std::size_t maxConnections = 32;
  std::chrono::milliseconds acquireTimeout{5000};
  int connectTimeoutSeconds = 3;
  int readTimeoutSeconds = 30;
  /// The server stops any statement that runs longer (MariaDB max_statement_time, MySQL 8 max_execution_time,
  /// which covers SELECTs only); 0: no limit. Keep it below readTimeoutSeconds, so the server ends the statement
  /// and the connection stays usable.
  int statementTimeoutSeconds = 0;
};

class Unavailable : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A statement ran past PoolConfig::statementTimeoutSeconds and the server stopped it.
class StatementTimeout : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class DbError : public std::runtime_error {
 public:
  DbError(const std::string& message, int code, std::string sqlState)
      : std::runtime_error(message), code_(code), sqlState_(std::move(sqlState)) {}
  int code() const { return code_; }
  const std::string& sqlState() const { return sqlState_; }
  bool isDuplicateKey() const { return code_ == 1062; }

 private:
  int code_;
  std::string sqlState_;
};

/// Prepared statements kept per connection; the least recently used is closed to make room for a new one. With
/// db.pool_size 32, two processes keep at most 8,192 on the database server, half of MariaDB's and MySQL's default
/// max_prepared_stmt_count (16,382), which every client of the server shares.
inline constexpr std::size_t kMaxPreparedStatements = 128;

/// Binds one parameter of a prepared statement; used by Connection's variadic query/execute.
class Binder {
 public:
  /// With `literals`, every bound value is also recorded as an SQL literal (for the statement trace).
  explicit Binder(void* statement, std::vector<std::string>* literals = nullptr)
      : statement_(statement), literals_(literals) {}
  void bind(unsigned index, std::string_view value);
  void bind(unsigned index, const std::string& value) { bind(index, std::string_view(value)); }
  void bind(unsigned index, const char* value) { bind(index, std::string_view(value)); }
  void bind(unsigned index, std::int64_t value);
  void bind(unsigned index, int value) { bind(index, static_cast<std::int64_t>(value)); }
  void bind(unsigned index, unsigned value) { bind(index, static_cast<std::int64_t>(value)); }
  void bind(unsigned index, long long value) { bind(index, static_cast<std::int64_t>(value)); }
  void bind(unsigned index, std::uint64_t value) { bind(index, static_cast<std::int64_t>(value)); }
  void bind(unsigned index, double value);
  void bind(unsigned index, bool value) { bind(index, static_cast<std::int64_t>(value ? 1 : 0)); }
  void bind(unsigned index, std::nullptr_t);
  template <typename T>
  void bind(unsigned index, const std::optional<T>& value) {
    if (value) bind(index, *value);
    else bind(index, nullptr);
  }

 private:
  void record(unsigned index, std::string literal);

  void* statement_;  // sql::PreparedStatement*
  std::vector<std::string>* literals_;
};

/// Sees every prepared statement a pool runs, with its bound values as SQL literals (diagnostics: EXPLAIN of what
/// the code really sent). Called on the thread running the statement, before it runs.
using StatementTrace = std::function<void(std::string_view sql, const std::vector<std::string>& literals)>;

/// The statement with each `?` placeholder (outside quotes) replaced by the literal in that position.
std::string withLiterals(std::string_view sql, const std::vector<std::string>& literals);

using BindFn = std::function<void(Binder&)>;

/// Binds `values` to the placeholders in order (a filter built up as text with its parameters beside it).
inline BindFn bindAll(const std::vector<std::string>& values) {
  return [&values](Binder& b) {
    unsigned i = 1;
    for (const auto& v : values) b.bind(i++, v);
  };
}

/// Binds `values` in order, then `limit` and `offset` for a trailing "LIMIT ? OFFSET ?": a page number written into
/// the SQL text would make every page a statement of its own.
inline BindFn bindPage(const std::vector<std::string>& values, std::int64_t limit, std::int64_t offset) {
  return [&values, limit, offset](Binder& b) {
    unsigned i = 1;
    for (const auto& v : values) b.bind(i++, v);
    b.bind(i++, limit);
    b.bind(i, offset);
  };
}

class Pool;
struct ConnectionState;

/// One pooled connection, reached through a Lease. Prepared statements are cached per connection by SQL text.
class Connection {
 public:
  explicit Connection(ConnectionState* state) : state_(state) {}

  template <typename... Args>
  Rows query(std::string_view sql, const Args&... args) {
    return queryWith(sql, [&](Binder& b) {
      unsigned i = 1;
      (b.bind(i++, args), ...);
    });
  }
  /// Returns the number of affected rows.
  template <typename... Args>
  std::uint64_t execute(std::string_view sql, const Args&... args) {
    return executeWith(sql, [&](Binder& b) {
      unsigned i = 1;
      (b.bind(i++, args), ...);
    });
  }
  Rows queryWith(std::string_view sql, const BindFn& bind);
  std::uint64_t executeWith(std::string_view sql, const BindFn& bind);
  /// Runs SQL text without preparing it (DDL in migrations, session settings). Returns affected rows.
  std::uint64_t executeScript(std::string_view sql);
  /// Runs SQL text without preparing it and returns its rows (statements that cannot be prepared, e.g. ANALYZE).
  Rows queryText(std::string_view sql);
  std::int64_t lastInsertId();
  /// How many prepared statements this connection keeps (at most kMaxPreparedStatements).
  std::size_t preparedStatements() const;

  void begin();
  void commit();
  void rollback();
  bool inTransaction() const;

 private:
  ConnectionState* state_;
};

/// RAII ownership of a pooled connection; returns it (or discards it, if broken) on destruction.
class Lease {
 public:
  Lease(Pool* pool, std::unique_ptr<ConnectionState> state);
  Lease(Lease&&) noexcept;
  Lease& operator=(Lease&&) = delete;
  Lease(const Lease&) = delete;
  ~Lease();
  Connection& operator*() { return connection_; }
  Connection* operator->() { return &connection_; }

 private:
  Pool* pool_;
  std::unique_ptr<ConnectionState> state_;
  Connection connection_;
};

/// Rolls back on destruction unless commit() was called.
class Transaction {
 public:
  explicit Transaction(Connection& connection);
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();
  void commit();

 private:
  Connection& connection_;
  bool done_ = false;
};

struct PoolStats {
  std::size_t open = 0;    // connections currently open (idle + leased)
  std::size_t leased = 0;  // connections in use
  std::size_t max = 0;
  std::uint64_t acquired = 0;  // connections handed out since the start
  std::uint64_t waits = 0;     // acquisitions that had to wait for a free connection
  std::uint64_t timeouts = 0;  // acquisitions that gave up (answered 503)
  std::uint64_t reconnects = 0;
};

class Pool {
 public:
  explicit Pool(PoolConfig config);
  ~Pool();
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  /// Blocks up to acquireTimeout for a connection. Throws Unavailable when the database cannot be reached or
  /// the pool stays exhausted.
  Lease acquire();
  PoolStats stats() const;
  const PoolConfig& config() const { return config_; }
  /// Installs (or, with an empty function, removes) the statement trace. Set it before statements run.
  void setStatementTrace(StatementTrace trace) { trace_ = std::move(trace); }
  const StatementTrace& statementTrace() const { return trace_; }

 private:
  friend class Lease;
  friend struct ConnectionState;
  std::unique_ptr<ConnectionState> connect();
  void release(std::unique_ptr<ConnectionState> state);

  PoolConfig config_;
  StatementTrace trace_;
  mutable std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<ConnectionState>> idle_;
  std::size_t open_ = 0;
  std::uint64_t generation_ = 0;  // bumped when a connection is found broken: older idle ones are re-checked
  PoolStats counters_;
};

}  // namespace cw::db
