#include "cw/db/pool.hpp"

#include <cppconn/connection.h>
#include <cppconn/exception.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <cppconn/resultset_metadata.h>
#include <cppconn/statement.h>
#include <mysql_driver.h>

#include <algorithm>
#include <map>

namespace cw::db {

namespace {

using SteadyClock = std::chrono::steady_clock;

// Any server we talk to must behave like MySQL 8's defaults, whatever the server's own configuration says.
constexpr const char* kSessionSqlMode =
    "SET SESSION sql_mode = 'ONLY_FULL_GROUP_BY,STRICT_TRANS_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,"
    "ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION'";
constexpr const char* kSessionCharset = "SET NAMES utf8mb4 COLLATE utf8mb4_unicode_ci";
constexpr const char* kSessionTimeZone = "SET time_zone = '+00:00'";
constexpr auto kRevalidateAfterIdle = std::chrono::seconds(30);

sql::mysql::MySQL_Driver* driver() {
  static sql::mysql::MySQL_Driver* instance = sql::mysql::get_mysql_driver_instance();
  return instance;
}

// The driver wants every thread that uses it registered; worker threads come and go with the HTTP server.
struct DriverThreadGuard {
  DriverThreadGuard() { driver()->threadInit(); }
  ~DriverThreadGuard() { driver()->threadEnd(); }
};

void ensureThreadRegistered() { thread_local DriverThreadGuard guard; }

bool isConnectionError(const sql::SQLException& e) {
  switch (e.getErrorCode()) {
    case 1053:  // server shutdown in progress
    case 1927:  // MariaDB: connection killed
    case 2002:  // can't connect through socket
    case 2003:  // can't connect to server
    case 2006:  // server has gone away
    case 2013:  // lost connection during query
    case 2055:  // lost connection at ...
    case 4031:  // MySQL 8: disconnected by the server because of inactivity
      return true;
    default:
      return dynamic_cast<const sql::InvalidInstanceException*>(&e) != nullptr;
  }
}

bool isStatementTimeout(const sql::SQLException& e) {
  return e.getErrorCode() == 1969     // MariaDB: max_statement_time exceeded
         || e.getErrorCode() == 3024;  // MySQL 8: maximum statement execution time exceeded
}

std::string describe(const sql::SQLException& e) {
  return std::string(e.what()) + " (error " + std::to_string(e.getErrorCode()) + ", state " + e.getSQLState() + ")";
}

Rows readAll(sql::ResultSet& rs) {
  sql::ResultSetMetaData* meta = rs.getMetaData();
  unsigned count = meta->getColumnCount();
  std::vector<std::string> names;
  names.reserve(count);
  for (unsigned i = 1; i <= count; ++i) names.push_back(meta->getColumnLabel(i).asStdString());
  Rows rows(std::move(names));
  while (rs.next()) {
    std::vector<std::optional<std::string>> values;
    values.reserve(count);
    for (unsigned i = 1; i <= count; ++i) {
      if (rs.isNull(i)) values.emplace_back(std::nullopt);
      else values.emplace_back(rs.getString(i).asStdString());
    }
    rows.add(std::move(values));
  }
  return rows;
}

}  // namespace

struct ConnectionState {
  Pool* pool = nullptr;
  std::unique_ptr<sql::Connection> connection;
  struct Cached {
    std::unique_ptr<sql::PreparedStatement> statement;
    std::uint64_t lastUse = 0;
  };
  std::map<std::string, Cached, std::less<>> statements;
  std::uint64_t uses = 0;
  std::uint64_t generation = 0;
  SteadyClock::time_point lastUsed = SteadyClock::now();
  bool broken = false;
  bool inTransaction = false;
  unsigned operationsInLease = 0;

  // The statements of this connection, prepared once each. At most kMaxPreparedStatements are kept, the least
  // recently used going first: statement texts that vary with the input (a batch size, say) would otherwise grow
  // the process and the database server's prepared statements (max_prepared_stmt_count, shared by every client)
  // without bound.
  sql::PreparedStatement& prepared(std::string_view sql) {
    auto it = statements.find(sql);
    if (it == statements.end()) {
      if (statements.size() >= kMaxPreparedStatements) {
        auto oldest = std::min_element(statements.begin(), statements.end(), [](const auto& a, const auto& b) {
          return a.second.lastUse < b.second.lastUse;
        });
        statements.erase(oldest);
      }
      std::unique_ptr<sql::PreparedStatement> ps(connection->prepareStatement(std::string(sql)));
      it = statements.emplace(std::string(sql), Cached{std::move(ps), 0}).first;
    }
    it->second.lastUse = ++uses;
    return *it->second.statement;
  }

  // Runs op; when the connection turns out to be lost before anything happened on this lease, reconnects once
  // and retries, so the first request after a database restart succeeds instead of failing.
  template <typename Op>
  auto run(Op&& op) -> decltype(op()) {
    try {
      auto result = op();
      ++operationsInLease;
      return result;
    } catch (const sql::SQLException& e) {
      if (isStatementTimeout(e)) throw StatementTimeout(describe(e));
      if (!isConnectionError(e)) throw DbError(describe(e), e.getErrorCode(), e.getSQLState());
      markBroken();
      if (inTransaction || operationsInLease > 0) {
        throw Unavailable("lost the database connection: " + std::string(e.what()));
      }
    }
    reconnect();
    try {
      auto result = op();
      ++operationsInLease;
      return result;
    } catch (const sql::SQLException& e) {
      if (isStatementTimeout(e)) throw StatementTimeout(describe(e));
      if (!isConnectionError(e)) throw DbError(describe(e), e.getErrorCode(), e.getSQLState());
      markBroken();
      throw Unavailable("lost the database connection: " + std::string(e.what()));
    }
  }

  void markBroken();
  void reconnect();
};

void Binder::record(unsigned index, std::string literal) {
  if (!literals_) return;
  if (literals_->size() < index) literals_->resize(index);
  (*literals_)[index - 1] = std::move(literal);
}
void Binder::bind(unsigned index, std::string_view value) {
  static_cast<sql::PreparedStatement*>(statement_)->setString(index, std::string(value));
  if (literals_) {
    std::string quoted = "'";
    for (char ch : value) {
      if (ch == '\'' || ch == '\\') quoted += ch;
      quoted += ch;
    }
    record(index, quoted + "'");
  }
}
void Binder::bind(unsigned index, std::int64_t value) {
  static_cast<sql::PreparedStatement*>(statement_)->setInt64(index, value);
  record(index, std::to_string(value));
}
void Binder::bind(unsigned index, double value) {
  static_cast<sql::PreparedStatement*>(statement_)->setDouble(index, value);
  record(index, std::to_string(value));
}
void Binder::bind(unsigned index, std::nullptr_t) {
  static_cast<sql::PreparedStatement*>(statement_)->setNull(index, 0);
  record(index, "NULL");
}

std::string withLiterals(std::string_view sql, const std::vector<std::string>& literals) {
  std::string out;
  std::size_t next = 0;
  char quote = 0;
  for (std::size_t i = 0; i < sql.size(); ++i) {
    char ch = sql[i];
    if (quote) {
      out += ch;
      if (ch == '\\' && i + 1 < sql.size()) out += sql[++i];
      else if (ch == quote) quote = 0;
    } else if (ch == '\'' || ch == '"' || ch == '`') {
      quote = ch;
      out += ch;
    } else if (ch == '?' && next < literals.size()) {
      out += literals[next++];
    } else {
      out += ch;
    }
  }
  return out;
}

Rows Connection::queryWith(std::string_view sql, const BindFn& bind) {
  return state_->run([&] {
    auto& ps = state_->prepared(sql);
    ps.clearParameters();
    const StatementTrace& trace = state_->pool->statementTrace();
    std::vector<std::string> literals;
    Binder binder(&ps, trace ? &literals : nullptr);
    bind(binder);
    if (trace) trace(sql, literals);
    std::unique_ptr<sql::ResultSet> rs(ps.executeQuery());
    return readAll(*rs);
  });
}

std::uint64_t Connection::executeWith(std::string_view sql, const BindFn& bind) {
  return state_->run([&] {
    auto& ps = state_->prepared(sql);
    ps.clearParameters();
    const StatementTrace& trace = state_->pool->statementTrace();
    std::vector<std::string> literals;
    Binder binder(&ps, trace ? &literals : nullptr);
    bind(binder);
    if (trace) trace(sql, literals);
    return static_cast<std::uint64_t>(ps.executeUpdate());
  });
}

Rows Connection::queryText(std::string_view sql) {
  return state_->run([&] {
    std::unique_ptr<sql::Statement> st(state_->connection->createStatement());
    std::unique_ptr<sql::ResultSet> rs(st->executeQuery(std::string(sql)));
    return readAll(*rs);
  });
}

std::uint64_t Connection::executeScript(std::string_view sql) {
  return state_->run([&] {
    std::unique_ptr<sql::Statement> st(state_->connection->createStatement());
    st->execute(std::string(sql));
    // Drain any result sets so the connection is usable afterwards.
    do {
      std::unique_ptr<sql::ResultSet> rs(st->getResultSet());
    } while (st->getMoreResults());
    return static_cast<std::uint64_t>(st->getUpdateCount());
  });
}

std::size_t Connection::preparedStatements() const { return state_->statements.size(); }

std::int64_t Connection::lastInsertId() { return query("SELECT LAST_INSERT_ID() AS id")[0].i64("id"); }

// Transactions are driven by real statements: the driver's setAutoCommit()/commit() return without an error on
// a dead connection, which would let a lost transaction look committed.
void Connection::begin() {
  executeScript("START TRANSACTION");
  state_->inTransaction = true;
}

void Connection::commit() {
  struct Ended {
    ConnectionState* state;
    ~Ended() { state->inTransaction = false; }
  } ended{state_};
  executeScript("COMMIT");
}

void Connection::rollback() {
  state_->inTransaction = false;
  try {
    std::unique_ptr<sql::Statement> st(state_->connection->createStatement());
    st->execute("ROLLBACK");
  } catch (const sql::SQLException&) {
    // A connection that cannot roll back is not returned to the pool; the server rolls back on disconnect.
    state_->markBroken();
  }
}

bool Connection::inTransaction() const { return state_->inTransaction; }

Transaction::Transaction(Connection& connection) : connection_(connection) { connection_.begin(); }

Transaction::~Transaction() {
  if (!done_) connection_.rollback();
}

void Transaction::commit() {
  done_ = true;
  connection_.commit();
}

Lease::Lease(Pool* pool, std::unique_ptr<ConnectionState> state)
    : pool_(pool), state_(std::move(state)), connection_(state_.get()) {}

Lease::Lease(Lease&& other) noexcept
    : pool_(other.pool_), state_(std::move(other.state_)), connection_(state_.get()) {}

Lease::~Lease() {
  if (state_) pool_->release(std::move(state_));
}

void ConnectionState::markBroken() {
  broken = true;
  std::lock_guard lock(pool->mutex_);
  ++pool->generation_;
}

void ConnectionState::reconnect() {
  statements.clear();
  connection.reset();
  auto fresh = pool->connect();
  connection = std::move(fresh->connection);
  broken = false;
  std::lock_guard lock(pool->mutex_);
  generation = pool->generation_;
  ++pool->counters_.reconnects;
}

Pool::Pool(PoolConfig config) : config_(std::move(config)) {
  driver();  // get_mysql_driver_instance() is not safe to call first from several threads at once
  counters_.max = config_.maxConnections;
}

Pool::~Pool() {
  ensureThreadRegistered();
  idle_.clear();
}

std::unique_ptr<ConnectionState> Pool::connect() {
  ensureThreadRegistered();
  sql::ConnectOptionsMap options;
  if (!config_.socket.empty()) {
    options["hostName"] = sql::SQLString("unix://" + config_.socket);
  } else {
    options["hostName"] = sql::SQLString("tcp://" + config_.host + ":" + std::to_string(config_.port));
  }
  options["userName"] = sql::SQLString(config_.user);
  options["password"] = sql::SQLString(config_.password);
  options["schema"] = sql::SQLString(config_.database);
  options["OPT_CONNECT_TIMEOUT"] = config_.connectTimeoutSeconds;
  options["OPT_READ_TIMEOUT"] = config_.readTimeoutSeconds;
  options["OPT_WRITE_TIMEOUT"] = config_.readTimeoutSeconds;
  options["OPT_RECONNECT"] = false;
  options["OPT_CHARSET_NAME"] = sql::SQLString("utf8mb4");
  auto state = std::make_unique<ConnectionState>();
  state->pool = this;
  try {
    state->connection.reset(driver()->connect(options));
    std::unique_ptr<sql::Statement> st(state->connection->createStatement());
    st->execute(kSessionCharset);
    st->execute(kSessionTimeZone);
    st->execute(kSessionSqlMode);
    if (config_.statementTimeoutSeconds > 0) {
      // The variable's name and unit differ between the two servers.
      std::unique_ptr<sql::ResultSet> version(st->executeQuery("SELECT VERSION() AS v"));
      bool mariadb = version->next() && std::string(version->getString(1)).find("MariaDB") != std::string::npos;
      st->execute(mariadb ? "SET SESSION max_statement_time = " + std::to_string(config_.statementTimeoutSeconds)
                          : "SET SESSION max_execution_time = " + std::to_string(config_.statementTimeoutSeconds * 1000));
    }
  } catch (const sql::SQLException& e) {
    if (e.getErrorCode() >= 2000 || isConnectionError(e)) {
      throw Unavailable("cannot reach the database at " +
                        (config_.socket.empty() ? config_.host + ":" + std::to_string(config_.port) : config_.socket) +
                        ": " + e.what());
    }
    throw DbError("cannot open a database session: " + describe(e), e.getErrorCode(), e.getSQLState());
  }
  return state;
}

Lease Pool::acquire() {
  ensureThreadRegistered();
  std::unique_ptr<ConnectionState> state;
  bool mustOpen = false;
  bool mustValidate = false;
  {
    std::unique_lock lock(mutex_);
    auto deadline = SteadyClock::now() + config_.acquireTimeout;
    bool waited = false;
    while (idle_.empty() && open_ >= config_.maxConnections) {
      waited = true;
      if (available_.wait_until(lock, deadline) == std::cv_status::timeout && idle_.empty() &&
          open_ >= config_.maxConnections) {
        ++counters_.timeouts;
        throw Unavailable("all " + std::to_string(config_.maxConnections) +
                          " database connections are busy; try again shortly");
      }
    }
    if (waited) ++counters_.waits;
    if (!idle_.empty()) {
      state = std::move(idle_.back());
      idle_.pop_back();
      mustValidate = state->generation != generation_ || SteadyClock::now() - state->lastUsed > kRevalidateAfterIdle;
    } else {
      mustOpen = true;
      ++open_;
    }
    ++counters_.leased;
    ++counters_.acquired;
  }
  try {
    if (mustOpen) {
      state = connect();
      std::lock_guard lock(mutex_);
      state->generation = generation_;
    } else if (mustValidate && !state->connection->isValid()) {
      state->reconnect();
    }
  } catch (...) {
    std::lock_guard lock(mutex_);
    --open_;
    --counters_.leased;
    --counters_.acquired;
    available_.notify_one();
    throw;
  }
  state->operationsInLease = 0;
  return Lease(this, std::move(state));
}

void Pool::release(std::unique_ptr<ConnectionState> state) {
  if (state->inTransaction) {
    Connection(state.get()).rollback();
  }
  state->lastUsed = SteadyClock::now();
  std::lock_guard lock(mutex_);
  --counters_.leased;
  if (state->broken) {
    --open_;
  } else {
    idle_.push_back(std::move(state));
  }
  available_.notify_one();
}

PoolStats Pool::stats() const {
  std::lock_guard lock(mutex_);
  PoolStats s = counters_;
  s.open = open_;
  return s;
}

}  // namespace cw::db
