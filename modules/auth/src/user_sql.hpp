#pragma once
// SQL of the auth module, as named constants (prepared statements; portable between MySQL 8 and MariaDB).

#include "cw/auth/users.hpp"
#include "cw/db/rows.hpp"

namespace cw::auth {

/// Maps a row selected with kUserColumns.
User userFromRow(const db::Row& row);

namespace sql {

#define CW_USER_COLUMNS                                                                                           \
  "u.id, u.username, u.display_name, u.role, u.department_code, d.name AS department_name, u.region_code,"      \
  " r.name AS region_name, u.certificate_no, u.institution_id, u.status, u.last_login_at, u.created_at,"        \
  " CASE WHEN t.locked_until > ? THEN t.locked_until END AS locked_until"
#define CW_USER_FROM                                                                                              \
  " FROM users u LEFT JOIN departments d ON d.code = u.department_code"                                          \
  " LEFT JOIN regions r ON r.code = u.region_code LEFT JOIN login_throttle t ON t.username = u.username"
#define CW_USER_FILTER                                                                                            \
  " WHERE (? IS NULL OR u.role = ?) AND (? IS NULL OR u.status = ?)"                                              \
  " AND (? IS NULL OR u.username LIKE ? OR u.display_name LIKE ?)"

inline constexpr const char* kSelectUserById = "SELECT " CW_USER_COLUMNS CW_USER_FROM " WHERE u.id = ?";
inline constexpr const char* kSelectUserIdByUsername = "SELECT id FROM users WHERE username = ?";
inline constexpr const char* kListUsers =
    "SELECT " CW_USER_COLUMNS CW_USER_FROM CW_USER_FILTER " ORDER BY u.id LIMIT ? OFFSET ?";
inline constexpr const char* kCountUsers = "SELECT COUNT(*) AS n FROM users u" CW_USER_FILTER;

#undef CW_USER_COLUMNS
#undef CW_USER_FROM
#undef CW_USER_FILTER

inline constexpr const char* kDepartmentExists = "SELECT 1 AS found FROM departments WHERE code = ?";
inline constexpr const char* kRegionExists = "SELECT 1 AS found FROM regions WHERE code = ?";
inline constexpr const char* kInstitutionExists = "SELECT 1 AS found FROM institutions WHERE id = ?";
// No FOR UPDATE: under REPEATABLE READ a locking read of a missing key takes a gap lock, and two creates in the
// same gap deadlock. The unique key decides; this read only gives the common case a friendly error early.
inline constexpr const char* kUsernameTaken = "SELECT id FROM users WHERE username = ?";
inline constexpr const char* kInsertUser =
    "INSERT INTO users (username, display_name, role, department_code, region_code, certificate_no, institution_id,"
    " password_hash, status, password_changed_at, created_at, updated_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'active', ?, ?, ?)";
inline constexpr const char* kLockUser = "SELECT id, username, status FROM users WHERE id = ? FOR UPDATE";
inline constexpr const char* kSetStatus = "UPDATE users SET status = ?, updated_at = ? WHERE id = ?";
inline constexpr const char* kSetPassword =
    "UPDATE users SET password_hash = ?, password_changed_at = ?, updated_at = ? WHERE id = ?";
inline constexpr const char* kRevokeUserSessions =
    "UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL";
inline constexpr const char* kClearThrottle = "DELETE FROM login_throttle WHERE username = ?";

// Sign-in and sessions.
inline constexpr const char* kUserForLogin =
    "SELECT id, username, role, status, password_hash FROM users WHERE username = ?";
inline constexpr const char* kThrottleState = "SELECT failures, locked_until FROM login_throttle WHERE username = ?";
inline constexpr const char* kCountFailure =
    "INSERT INTO login_throttle (username, failures, last_failure_at, locked_until) VALUES (?, 1, ?, NULL)"
    " ON DUPLICATE KEY UPDATE failures = failures + 1, last_failure_at = ?";
inline constexpr const char* kLockUsername =
    "UPDATE login_throttle SET failures = 0, locked_until = ? WHERE username = ?";
inline constexpr const char* kResetStaleFailures =
    "UPDATE login_throttle SET failures = 0 WHERE username = ? AND last_failure_at < ?";
inline constexpr const char* kInsertSession =
    "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, last_seen_at, expires_at, client_ip,"
    " user_agent) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
inline constexpr const char* kTouchLogin = "UPDATE users SET last_login_at = ? WHERE id = ?";
inline constexpr const char* kSessionByToken =
    "SELECT s.id, s.user_id, s.csrf_token, s.last_seen_at, s.expires_at, u.username, u.display_name, u.role,"
    " u.department_code, u.region_code, u.institution_id, u.status"
    " FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ? AND s.revoked_at IS NULL";
inline constexpr const char* kTouchSession = "UPDATE sessions SET last_seen_at = ? WHERE id = ?";
inline constexpr const char* kRevokeSession = "UPDATE sessions SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL";
inline constexpr const char* kSessionExpiry = "SELECT expires_at FROM sessions WHERE id = ?";
inline constexpr const char* kDeleteOldSessions =
    "DELETE FROM sessions WHERE expires_at < ? OR last_seen_at < ? OR revoked_at < ? LIMIT 1000";

}  // namespace sql
}  // namespace cw::auth
