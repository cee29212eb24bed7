#pragma once
// The capture time and position a photo's EXIF block carries (read with libexif), shown to the verifier next to
// the upload time: a photo taken before the hazard was reported is not evidence of its rectification.

#include <optional>
#include <string>
#include <string_view>

namespace cw::hazards {

struct PhotoMetadata {
  std::optional<std::string> takenAt;  // "YYYY-MM-DD HH:MM:SS" as the camera recorded it (local time, no zone)
  std::optional<double> latitude;      // decimal degrees, south negative
  std::optional<double> longitude;     // decimal degrees, west negative
};

/// Reads a JPEG's EXIF from its first bytes (the APP1 segment is within the first 64 KB); empty for anything
/// without readable EXIF. Never fails: a damaged block just yields nothing.
PhotoMetadata readPhotoMetadata(std::string_view jpegHead);

}  // namespace cw::hazards
