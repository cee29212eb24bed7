#pragma once
// Expected failures as values. A Result<T> holds either a T or an Error; infrastructure faults stay exceptions
// and are caught once at the top of request handling.

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace cw::core {

enum class ErrorCode {
  InvalidArgument,     // the caller sent something malformed; `field` names it
  Unauthenticated,     // no valid session
  PermissionDenied,    // authenticated, but not allowed
  MethodNotAllowed,    // the path exists, not with this HTTP method
  NotFound,
  Conflict,            // unique key taken, concurrent change
  FailedPrecondition,  // the object is not in a state that allows the action
  ResourceExhausted,   // rate limit, lockout
  PayloadTooLarge,
  Unavailable,         // a dependency (the database) is down; retry later
  Internal,
};

/// Stable wire name, e.g. "INVALID_ARGUMENT".
std::string_view errorCodeName(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::Internal;
  std::string message;  // what a user can act on
  std::string field;    // the offending input field, empty when not about one field

  static Error invalid(std::string field, std::string message) {
    return {ErrorCode::InvalidArgument, std::move(message), std::move(field)};
  }
  static Error notFound(std::string message) { return {ErrorCode::NotFound, std::move(message), {}}; }
  static Error denied(std::string message) { return {ErrorCode::PermissionDenied, std::move(message), {}}; }
  static Error conflict(std::string message, std::string field = {}) {
    return {ErrorCode::Conflict, std::move(message), std::move(field)};
  }
  static Error precondition(std::string message) {
    return {ErrorCode::FailedPrecondition, std::move(message), {}};
  }
};

/// Thrown only by Result::value() on misuse, and by code that turns an Error into an exception on purpose.
class ErrorException : public std::runtime_error {
 public:
  explicit ErrorException(Error error) : std::runtime_error(error.message), error_(std::move(error)) {}
  const Error& error() const { return error_; }

 private:
  Error error_;
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : data_(std::move(value)) {}          // NOLINT(google-explicit-constructor)
  Result(Error error) : data_(std::move(error)) {}      // NOLINT(google-explicit-constructor)

  bool ok() const { return std::holds_alternative<T>(data_); }
  explicit operator bool() const { return ok(); }

  const T& value() const& {
    if (!ok()) throw ErrorException(error());
    return std::get<T>(data_);
  }
  T& value() & {
    if (!ok()) throw ErrorException(error());
    return std::get<T>(data_);
  }
  T&& value() && {
    if (!ok()) throw ErrorException(error());
    return std::get<T>(std::move(data_));
  }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }

  const Error& error() const { return std::get<Error>(data_); }

 private:
  std::variant<T, Error> data_;
};

/// Result of an operation that returns nothing on success.
struct Ok {};
using Status = Result<Ok>;

}  // namespace cw::core
