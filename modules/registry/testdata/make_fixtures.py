#!/usr/bin/env python3
"""Regenerates the XLSX fixtures of tabular_test.cpp with openpyxl (Debian: python3-openpyxl), a writer other
than ours: it leaves missing cells out of the sheet XML, writes strings inline (<is>), numbers in its own
notation (1.234567890123457e+17) and dates as serial numbers. Shared strings are covered by the Excel-style
package that tabular_test.cpp builds in memory.

Run from this folder: python3 make_fixtures.py
"""
import datetime

import openpyxl

wb = openpyxl.Workbook()
ws = wb.active
ws.title = "名单"
ws.append([" 机构名称 ", "统一社会信用代码", "床位数", "负责人", "备注"])
ws["A2"] = "九江市福利院"
ws["B2"] = "52360402MJA5K2818A"
ws["C2"] = 120
ws["D2"] = "张三"                     # E2 missing
                                       # row 3 left empty
ws["A4"] = "浔阳区敬老院"              # B4 missing
ws["C4"] = 35.5
ws["E4"] = '含"引号", 逗号'
ws["B5"] = "0123"                      # A5 missing; a code that must keep its zero
ws["C5"] = True
ws["D5"] = datetime.date(2024, 1, 1)   # stored as serial 45292
ws["E5"] = "第一行\n第二行"
ws["A10"] = "长码"                     # rows 6-9 empty
ws["B10"] = 123456789012345678         # a code typed as a number: Excel keeps 15 digits
ws["C10"] = 0.1 + 0.2                  # 0.30000000000000004 as a double
ws["F10"] = "no header above"          # beyond the header: dropped

other = wb.create_sheet("其他")
other["A1"] = "not the first sheet"
wb.save("openpyxl_sparse.xlsx")
