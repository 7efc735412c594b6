//! Hostile input: random bytes and random rows through CSV → scenario → result. Nothing
//! may panic, and every input row must come out (bounded case counts keep CI short).

use crate::common::*;
use proptest::prelude::*;
use yanglao::io::scenario::{parse_scenario, Header, Row, SCENARIO_COLUMNS};
use yanglao::metrics;
use yanglao::model::{project, Context};
use yanglao::params::{Assumptions, Params};

/// Values tried in every column: valid ones and hostile ones.
pub const HOSTILE: &[&str] = &[
    "",
    "0",
    "1",
    "-1",
    "0.6",
    "1.0",
    "3.0",
    "3.5",
    "15",
    "80",
    "81",
    "500",
    "8000",
    "7831",
    "1e30",
    "-0",
    "+1",
    "NaN",
    "inf",
    "-inf",
    "1,000",
    "0x10",
    "99999999999999999999999999999",
    "1234567890123456789012345678901234567890",
    "0.000000000000000000000000001",
    "2025-13",
    "0000-01",
    "2025-00",
    "1899-12",
    "2201-01",
    "1966-01",
    "1975-06",
    "1990-12",
    "2026-01",
    "2040-12",
    "2099-12",
    "true",
    "false",
    "TRUE",
    "yes",
    "male",
    "female_cadre",
    "female_worker",
    "employee",
    "flexible",
    "resident",
    "extend",
    "none",
    "shandong",
    "shandong/weifang",
    "jiangsu",
    "mars",
    "=1+1",
    "@x",
    "潍坊",
    "\u{feff}",
    "a\"b",
    "line\nbreak",
    "🙂",
    "   ",
    "-0.5",
    "1.0000000001",
];

fn context() -> &'static Context {
    static CTX: std::sync::OnceLock<Context> = std::sync::OnceLock::new();
    CTX.get_or_init(|| Context::new(Params::builtin().unwrap(), Assumptions::builtin()))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

    /// Random rows built from the hostile dictionary never panic in parse → project → metrics.
    #[test]
    fn random_rows_never_panic(picks in proptest::collection::vec(0usize..HOSTILE.len(), SCENARIO_COLUMNS.len()),
                               scheme in 0usize..3, cat in 0usize..3, birth in 1940i32..2030) {
        let ctx = context();
        let header = Header::new(SCENARIO_COLUMNS.iter().copied()).unwrap();
        let mut fields: Vec<String> = picks.iter().map(|&i| HOSTILE[i].to_string()).collect();
        // Keep enough rows plausible that the model itself is exercised often.
        fields[0] = "x".into();
        fields[2] = ["employee", "flexible", "resident"][scheme].into();
        fields[5] = ["male", "female_cadre", "female_worker"][cat].into();
        fields[6] = format!("{birth}-06");
        let rec = csv::ByteRecord::from(fields.iter().map(String::as_str).collect::<Vec<_>>());
        if let Ok(s) = parse_scenario(&Row::new(&header, &rec), 2, &ctx.params, ctx.assumptions.as_of) {
            if let Ok(o) = project(&s, ctx) {
                let m = metrics::compute(&s, &o, ctx);
                let _ = (m, yanglao::io::paths::paths_rows(&s, &o, ctx, Default::default()));
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Random bytes as a scenario file, after one of the starts that choose a reading
    /// (none, a header with commas, tabs or semicolons, byte-order marks of UTF-8 and
    /// UTF-16), with random line ends and quotes mixed in: the binary answers with 0, 2 or
    /// 3, never a crash.
    #[test]
    fn random_bytes_never_crash_the_binary(
        body in proptest::collection::vec(prop_oneof![any::<u8>(), Just(b'\r'), Just(b'\n'), Just(b'"'), Just(b',')], 0..2000),
        start in 0usize..6,
    ) {
        let dir = scratch("fuzz_bytes");
        let starts: [&[u8]; 6] = [
            b"",
            b"id,scheme,category,birth\n",
            b"id\tscheme\tcategory\tbirth\r\n",
            b"id;scheme;category;birth\r",
            b"\xef\xbb\xbfid,scheme,category,birth\n",
            b"\xff\xfei\0d\0,\0",
        ];
        let mut bytes = starts[start].to_vec();
        bytes.extend(body);
        let input = dir.join("in.csv");
        std::fs::write(&input, &bytes).unwrap();
        let out = bin().arg("run").arg(&input).arg("-o").arg(dir.join("out.csv")).output().unwrap();
        let code = out.status.code();
        prop_assert!(matches!(code, Some(0) | Some(2) | Some(3)), "exit {code:?}: {}", String::from_utf8_lossy(&out.stderr));
        prop_assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
    }
}

/// Every hostile value in every column, as one file through the binary: one output row per
/// input row, in order.
#[test]
fn hostile_file_keeps_every_row() {
    let dir = scratch("hostile_file");
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(SCENARIO_COLUMNS).unwrap();
    let mut n = 0;
    for (c, _) in SCENARIO_COLUMNS.iter().enumerate() {
        for v in HOSTILE {
            let mut row: Vec<String> = vec![String::new(); SCENARIO_COLUMNS.len()];
            row[0] = format!("r{n}");
            row[2] = "flexible".into();
            row[5] = "male".into();
            row[6] = "1980-06".into();
            row[c] = v.to_string();
            w.write_record(&row).unwrap();
            n += 1;
        }
    }
    let text = String::from_utf8(w.into_inner().unwrap()).unwrap();
    let (out, rows) = run_csv(&dir, &text, &[]);
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(rows.len(), n, "{} hostile cases in, {} rows out", n, rows.len());
    assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
    // Excel mode writes a BOM and neutralises formula-like text.
    let (_, rows) = run_csv(&dir, &text, &["--excel"]);
    assert!(std::fs::read(dir.join("out.csv")).unwrap().starts_with("\u{feff}id,".as_bytes()));
    assert!(rows.iter().all(|r| !r["label"].starts_with('=') && !r["label"].starts_with('@')));
}

/// Encodings and layouts from spreadsheets: GB18030, BOM, CRLF, quoted newlines, blank
/// lines, columns in another order, unknown columns (warned once).
#[test]
fn spreadsheet_files_are_read() {
    let dir = scratch("spreadsheet");
    let text = "\u{feff}birth,备注,id,scheme,category,label\r\n1980-06,x,a,flexible,male,\"潍坊, 男\r\n第二行\"\r\n\r\n1981-06,y,b,flexible,female_cadre,青州\r\n";
    let (out, rows) = run_csv(&dir, text, &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["label"], "潍坊, 男\r\n第二行");
    assert_eq!(String::from_utf8_lossy(&out.stderr).matches("ignoring unknown columns: 备注").count(), 1);
    let (gb, _, _) = encoding_rs::GB18030.encode(text.trim_start_matches('\u{feff}'));
    let input = dir.join("gb.csv");
    std::fs::write(&input, &gb).unwrap();
    let out = bin().arg("run").arg(&input).arg("-o").arg(dir.join("gb-out.csv")).output().unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("read as GB18030"));
    let rows2 = read_rows(&dir.join("gb-out.csv"));
    assert_eq!(rows2[1]["label"], "青州");
}

/// Line numbers in messages are the lines an editor shows, with Excel's CRLF ends (or the
/// CR of its Macintosh format), blank lines and a cell over two lines (Excel breaks lines
/// inside a cell with LF). The CSV reader's own count was one short.
#[test]
fn line_numbers_count_every_line() {
    let dir = scratch("line_numbers");
    let input = dir.join("in.csv");
    for end in ["\n", "\r\n", "\r"] {
        let text = [
            "id,label,scheme,category,birth",
            "a,x,flexible,male,1980-13",
            "",
            "b,\"two\nlines\",flexible,male,1980-14",
            "",
            "",
            "c,x,flexible,male,1980-15",
        ]
        .join(end);
        std::fs::write(&input, &text).unwrap();
        let out = bin().arg("check").arg(&input).output().unwrap();
        let said = String::from_utf8_lossy(&out.stdout);
        let lines: Vec<&str> = said.lines().map(|l| l.split(',').next().unwrap()).collect();
        assert_eq!(lines, ["line 2", "line 4", "line 8"], "{end:?}: {said}");
        let (_, rows) = run_csv(&dir, &text, &[]);
        let messages: Vec<&str> = rows.iter().map(|r| r["message"].split(',').next().unwrap()).collect();
        assert_eq!(messages, ["line 2", "line 4", "line 8"], "{end:?}");
        // The cell keeps its own line end.
        assert_eq!(rows[1]["label"], "two\nlines", "{end:?}");
    }
}

/// A GB18030 file whose first 64 KiB are plain ASCII (Chinese only further down) is still
/// read as GB18030: the duplicate-id pass sees the whole file.
#[test]
fn gb18030_further_down_is_detected() {
    let dir = scratch("gb18030_late");
    let mut text = String::from("id,label,scheme,category,birth\r\n");
    for i in 0..3000 {
        text.push_str(&format!("r{i},plain,flexible,male,1980-06\r\n"));
    }
    text.push_str("last,潍坊 青州,flexible,male,1980-06\r\n");
    let (gb, _, _) = encoding_rs::GB18030.encode(&text);
    assert!(gb[..65536].is_ascii());
    let input = dir.join("gb.csv");
    std::fs::write(&input, &gb).unwrap();
    let out = bin().arg("run").arg(&input).arg("-o").arg(dir.join("out.csv")).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("read as GB18030"), "{err}");
    let rows = read_rows(&dir.join("out.csv"));
    assert_eq!(rows.len(), 3001);
    assert_eq!(rows[3000]["label"], "潍坊 青州");
}

/// Excel's other exports: "Unicode Text" (UTF-16 with a byte-order mark, tab-separated),
/// UTF-16 with commas, and semicolon-separated text; each read with a warning saying how.
/// A header without the required columns says what it has.
#[test]
fn other_spreadsheet_exports_are_read() {
    let dir = scratch("exports");
    let rows =
        ["id,label,scheme,category,birth", "a,潍坊,flexible,male,1980-06", "b,青州,flexible,female_cadre,1981-06"];
    let plain = rows.join("\r\n") + "\r\n";
    let expected = {
        let (out, rows) = run_csv(&dir, &plain, &[]);
        assert!(out.status.success());
        rows
    };
    let utf16 = |text: &str, big: bool| -> Vec<u8> {
        let mut bytes = if big { vec![0xFE, 0xFF] } else { vec![0xFF, 0xFE] };
        for unit in text.encode_utf16() {
            bytes.extend(if big { unit.to_be_bytes() } else { unit.to_le_bytes() });
        }
        bytes
    };
    let cases: [(&str, Vec<u8>, &[&str]); 4] = [
        ("unicode-text.txt", utf16(&plain.replace(',', "\t"), false), &["read as UTF-16LE", "separated by tabs"]),
        ("utf16be.csv", utf16(&plain, true), &["read as UTF-16BE"]),
        ("tabs.txt", plain.replace(',', "\t").into_bytes(), &["separated by tabs"]),
        ("semicolons.csv", plain.replace(',', ";").into_bytes(), &["separated by semicolons"]),
    ];
    for (name, bytes, warnings) in cases {
        let input = dir.join(name);
        std::fs::write(&input, bytes).unwrap();
        let output = dir.join(format!("{name}.out.csv"));
        let out = bin().arg("run").arg(&input).arg("-o").arg(&output).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{name}: {err}");
        for w in warnings {
            assert!(err.contains(w), "{name}: {err}");
        }
        assert_eq!(read_rows(&output), expected, "{name}");
    }
    let (out, _) = run_csv(&dir, "ID,Scheme,birthday\n1,employee,1970-01\n", &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("missing required column 'id'") && err.contains("the header has: ID, Scheme, birthday"),
        "{err}"
    );
    let (out, _) = run_csv(&dir, "", &[]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("the file has no header line"));
    // A workbook instead of its CSV export: said so, named as given (also from a pipe).
    let book = dir.join("book.xlsx");
    std::fs::write(&book, b"PK\x03\x04\x14\x00\x06\x00rest of a zip").unwrap();
    let out = bin().arg("run").arg(&book).arg("-o").arg(dir.join("x.csv")).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("book.xlsx: this is a spreadsheet workbook"), "{err}");
    let out = bin().args(["check", "-"]).stdin(std::fs::File::open(&book).unwrap()).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("error: -: this is a spreadsheet workbook"), "{err}");
}

/// `check` lists every problem without computing.
#[test]
fn check_reports_every_problem() {
    let dir = scratch("check");
    let input = dir.join("in.csv");
    std::fs::write(
        &input,
        "id,scheme,category,birth,hardship\na,flexible,male,1980-13,\nb,flexible,male,1980-01,\nc,pension,man,1980-01,yes\na,flexible,male,1980-01,\n",
    )
    .unwrap();
    let out = bin().arg("check").arg(&input).output().unwrap();
    assert_eq!(out.status.code(), Some(3));
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(text.lines().count(), 5, "{text}");
    assert!(text.contains("line 4, column category, value 'man'"), "{text}");
    assert!(text.contains("line 4, column hardship, value 'yes'"), "{text}");
    assert!(text.contains("line 2, column birth"));
    assert!(text.contains("line 4, column scheme"));
    assert!(text.contains("line 5, column id, value 'a': duplicate id"));
}

/// Duplicate detection stays exact on a larger file (the Bloom pre-pass flags suspects,
/// only true repeats become errors).
#[test]
fn duplicate_ids_are_exact_on_many_rows() {
    let dir = scratch("many_ids");
    let mut csv = String::from("id,scheme,birth\n");
    for i in 0..30_000 {
        csv.push_str(&format!("p{i},resident,1966-06\n"));
    }
    for i in [7, 20_000, 29_999] {
        csv.push_str(&format!("p{i},resident,1966-06\n"));
    }
    let (out, rows) = run_csv(&dir, &csv, &[]);
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(rows.len(), 30_003);
    let dups: Vec<&str> =
        rows.iter().filter(|r| r["message"].contains("duplicate id")).map(|r| r["id"].as_str()).collect();
    assert_eq!(dups, ["p7", "p20000", "p29999"]);
    assert!(rows[..30_000].iter().all(|r| !r["message"].contains("duplicate")));
}
