#pragma once
// The credit report (信用报告) of one entity as a PDF with Chinese text, drawn with libharu (libhpdf) and its
// built-in CJK font (SimSun, GB-EUC-H encoding; UTF-8 text is converted to GB18030 before drawing). The report
// number and generation time are printed on every page; the service stores the SHA-256 of the bytes so that
// anyone holding the file can verify it on the public portal by number.
//
// Pure apart from memory: renderReport() builds the document in memory and returns its bytes.
// Thread-safety: independent calls may run concurrently (one HPDF_Doc per call).

#include <string>
#include <vector>

#include "cw/core/result.hpp"

namespace cw::credit {

struct ReportSection {
  std::string title;                           // 信用记录
  std::vector<std::string> columns;            // table header
  std::vector<std::vector<std::string>> rows;  // cells (wrapped when long)
  std::string emptyText = "无";                 // shown when rows is empty
};

struct ReportData {
  std::string number;       // CR-20261122-XXXXXXXXXX
  std::string generatedAt;  // 2026-11-22 10:31 (Asia/Shanghai)
  std::string generatedBy;  // 市场监管信用科（sj.credit）
  std::string entityName;
  std::string entityCode;   // unified social credit code
  std::string region;
  std::string kind;
  std::string grade;        // B
  std::string gradeLabel;   // 守信
  int score = 0;
  std::string scorecard;    // jiujiang-credit 2026.1
  std::vector<ReportSection> sections;
  std::string verifyHint;   // 核验：公众门户 → 信用报告核验，输入报告编号并比对 SHA-256
};

/// The PDF bytes; Internal with libharu's error code if the document cannot be built.
core::Result<std::string> renderReport(const ReportData& data);

}  // namespace cw::credit
