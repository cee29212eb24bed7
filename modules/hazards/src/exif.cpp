#include "cw/hazards/exif.hpp"

#include <libexif/exif-data.h>

#include <cstdio>
#include <memory>

namespace cw::hazards {

namespace {

struct ExifDataDeleter {
  void operator()(ExifData* d) const { exif_data_unref(d); }
};

// Degrees, minutes, seconds as three rationals -> decimal degrees; nullopt when malformed.
std::optional<double> degrees(ExifContent* gps, ExifTag valueTag, ExifTag refTag, ExifByteOrder order,
                              char negative) {
  ExifEntry* value = exif_content_get_entry(gps, valueTag);
  ExifEntry* ref = exif_content_get_entry(gps, refTag);
  if (!value || value->format != EXIF_FORMAT_RATIONAL || value->components != 3 || value->size < 24) {
    return std::nullopt;
  }
  double parts[3];
  for (int i = 0; i < 3; ++i) {
    ExifRational r = exif_get_rational(value->data + 8 * i, order);
    if (r.denominator == 0) return std::nullopt;
    parts[i] = static_cast<double>(r.numerator) / r.denominator;
  }
  double result = parts[0] + parts[1] / 60.0 + parts[2] / 3600.0;
  if (ref && ref->format == EXIF_FORMAT_ASCII && ref->size >= 1 && ref->data[0] == negative) result = -result;
  return result;
}

// EXIF dates are "YYYY:MM:DD HH:MM:SS"; anything else (blank, "0000:00:00 ...") is dropped.
std::optional<std::string> exifDate(ExifEntry* entry) {
  if (!entry || entry->format != EXIF_FORMAT_ASCII || entry->size < 19) return std::nullopt;
  std::string raw(reinterpret_cast<const char*>(entry->data), 19);
  int y, mo, d, h, mi, s;
  if (std::sscanf(raw.c_str(), "%4d:%2d:%2d %2d:%2d:%2d", &y, &mo, &d, &h, &mi, &s) != 6) return std::nullopt;
  if (y < 1990 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return std::nullopt;
  char out[64];
  std::snprintf(out, sizeof out, "%04d-%02d-%02d %02d:%02d:%02d", y, mo, d, h, mi, s);
  return std::string(out);
}

}  // namespace

PhotoMetadata readPhotoMetadata(std::string_view head) {
  PhotoMetadata meta;
  if (head.size() < 4 || head.substr(0, 2) != std::string_view("\xFF\xD8", 2)) return meta;
  std::unique_ptr<ExifData, ExifDataDeleter> data(
      exif_data_new_from_data(reinterpret_cast<const unsigned char*>(head.data()), static_cast<unsigned>(head.size())));
  if (!data) return meta;
  ExifByteOrder order = exif_data_get_byte_order(data.get());
  meta.takenAt = exifDate(exif_content_get_entry(data->ifd[EXIF_IFD_EXIF], EXIF_TAG_DATE_TIME_ORIGINAL));
  if (!meta.takenAt) meta.takenAt = exifDate(exif_content_get_entry(data->ifd[EXIF_IFD_0], EXIF_TAG_DATE_TIME));
  ExifContent* gps = data->ifd[EXIF_IFD_GPS];
  auto lat = degrees(gps, static_cast<ExifTag>(EXIF_TAG_GPS_LATITUDE), static_cast<ExifTag>(EXIF_TAG_GPS_LATITUDE_REF),
                     order, 'S');
  auto lon = degrees(gps, static_cast<ExifTag>(EXIF_TAG_GPS_LONGITUDE),
                     static_cast<ExifTag>(EXIF_TAG_GPS_LONGITUDE_REF), order, 'W');
  if (lat && lon && *lat >= -90 && *lat <= 90 && *lon >= -180 && *lon <= 180) {
    meta.latitude = lat;
    meta.longitude = lon;
  }
  return meta;
}

}  // namespace cw::hazards
