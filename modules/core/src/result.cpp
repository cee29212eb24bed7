#include "cw/core/result.hpp"

namespace cw::core {

std::string_view errorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::InvalidArgument: return "INVALID_ARGUMENT";
    case ErrorCode::Unauthenticated: return "UNAUTHENTICATED";
    case ErrorCode::PermissionDenied: return "PERMISSION_DENIED";
    case ErrorCode::MethodNotAllowed: return "METHOD_NOT_ALLOWED";
    case ErrorCode::NotFound: return "NOT_FOUND";
    case ErrorCode::Conflict: return "CONFLICT";
    case ErrorCode::FailedPrecondition: return "FAILED_PRECONDITION";
    case ErrorCode::ResourceExhausted: return "RESOURCE_EXHAUSTED";
    case ErrorCode::PayloadTooLarge: return "PAYLOAD_TOO_LARGE";
    case ErrorCode::Unavailable: return "UNAVAILABLE";
    case ErrorCode::Internal: return "INTERNAL";
  }
  return "INTERNAL";
}

}  // namespace cw::core
