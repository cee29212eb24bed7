#include "cw/hazards/exif.hpp"

#include <gtest/gtest.h>
#include <libexif/exif-data.h>

#include <cstdlib>
#include <cstring>

namespace cw::hazards {
namespace {

ExifEntry* addEntry(ExifData* data, ExifIfd ifd, ExifTag tag, ExifFormat format, unsigned components) {
  ExifEntry* e = exif_entry_new();
  e->tag = tag;
  e->format = format;
  e->components = components;
  e->size = exif_format_get_size(format) * components;
  e->data = static_cast<unsigned char*>(std::calloc(1, e->size));
  exif_content_add_entry(data->ifd[ifd], e);
  exif_entry_unref(e);
  return e;
}

// A JPEG start (SOI + APP1 Exif) with a capture time and a position near 九江 (29.7N, 116.0E) or none.
std::string jpegWithExif(const char* taken, bool withGps, char latRef = 'N') {
  ExifData* data = exif_data_new();
  exif_data_set_byte_order(data, EXIF_BYTE_ORDER_INTEL);
  ExifEntry* when = addEntry(data, EXIF_IFD_EXIF, EXIF_TAG_DATE_TIME_ORIGINAL, EXIF_FORMAT_ASCII, 20);
  std::memcpy(when->data, taken, 19);
  if (withGps) {
    ExifEntry* ref = addEntry(data, EXIF_IFD_GPS, static_cast<ExifTag>(EXIF_TAG_GPS_LATITUDE_REF), EXIF_FORMAT_ASCII, 2);
    ref->data[0] = static_cast<unsigned char>(latRef);
    ExifEntry* lat = addEntry(data, EXIF_IFD_GPS, static_cast<ExifTag>(EXIF_TAG_GPS_LATITUDE), EXIF_FORMAT_RATIONAL, 3);
    ExifRational latParts[3] = {{29, 1}, {42, 1}, {3600, 100}};  // 29°42'36" = 29.71
    for (int i = 0; i < 3; ++i) exif_set_rational(lat->data + 8 * i, EXIF_BYTE_ORDER_INTEL, latParts[i]);
    ExifEntry* lonRef = addEntry(data, EXIF_IFD_GPS, static_cast<ExifTag>(EXIF_TAG_GPS_LONGITUDE_REF), EXIF_FORMAT_ASCII, 2);
    lonRef->data[0] = 'E';
    ExifEntry* lon = addEntry(data, EXIF_IFD_GPS, static_cast<ExifTag>(EXIF_TAG_GPS_LONGITUDE), EXIF_FORMAT_RATIONAL, 3);
    ExifRational lonParts[3] = {{116, 1}, {0, 1}, {0, 1}};
    for (int i = 0; i < 3; ++i) exif_set_rational(lon->data + 8 * i, EXIF_BYTE_ORDER_INTEL, lonParts[i]);
  }
  unsigned char* bytes = nullptr;
  unsigned int size = 0;
  exif_data_save_data(data, &bytes, &size);
  exif_data_unref(data);
  std::string jpeg("\xFF\xD8\xFF\xE1", 4);
  jpeg += static_cast<char>((size + 2) >> 8);
  jpeg += static_cast<char>((size + 2) & 0xFF);
  jpeg.append(reinterpret_cast<char*>(bytes), size);
  std::free(bytes);
  jpeg += std::string("\xFF\xDA\x00\x08 scan data", 14);
  return jpeg;
}

TEST(PhotoMetadata, ReadsCaptureTimeAndPosition) {
  auto meta = readPhotoMetadata(jpegWithExif("2026:11:20 09:15:30", true));
  ASSERT_TRUE(meta.takenAt.has_value());
  EXPECT_EQ(*meta.takenAt, "2026-11-20 09:15:30");
  ASSERT_TRUE(meta.latitude && meta.longitude);
  EXPECT_NEAR(*meta.latitude, 29.71, 1e-6);
  EXPECT_NEAR(*meta.longitude, 116.0, 1e-6);
  auto south = readPhotoMetadata(jpegWithExif("2026:11:20 09:15:30", true, 'S'));
  EXPECT_NEAR(*south.latitude, -29.71, 1e-6);
}

TEST(PhotoMetadata, AbsentOrBrokenExifGivesNothing) {
  auto noGps = readPhotoMetadata(jpegWithExif("2026:11:20 09:15:30", false));
  EXPECT_TRUE(noGps.takenAt.has_value());
  EXPECT_FALSE(noGps.latitude.has_value());
  EXPECT_FALSE(readPhotoMetadata(jpegWithExif("0000:00:00 00:00:00", false)).takenAt.has_value());
  EXPECT_FALSE(readPhotoMetadata("%PDF-1.4").takenAt.has_value());
  EXPECT_FALSE(readPhotoMetadata(std::string("\xFF\xD8\xFF\xE1\xFF\xFF" "Exif\0\0garbage", 20)).takenAt.has_value());
  std::string cut = jpegWithExif("2026:11:20 09:15:30", true);
  EXPECT_FALSE(readPhotoMetadata(cut.substr(0, 30)).latitude.has_value());
}

}  // namespace
}  // namespace cw::hazards
