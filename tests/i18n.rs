//! The catalogue of kpi's words (src/i18n): both languages have every
//! message, with the same variables; the language is chosen in the order
//! the README gives; and the command line speaks it.

// Tests stop at the first broken expectation: unwrap, expect and panic
// are how they say so. The library itself denies them (Cargo.toml).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::Command;

use kpi::i18n::{Arg, Lang, catalogue, text_in};

#[test]
fn both_languages_have_every_message_with_the_same_variables() {
    let en = catalogue(Lang::En).unwrap();
    let zh = catalogue(Lang::ZhCn).unwrap();
    let keys = |c: &[(String, Vec<String>)]| c.iter().map(|(k, _)| k.clone()).collect::<Vec<_>>();
    assert_eq!(
        keys(&en),
        keys(&zh),
        "the same messages in en.ftl and zh-CN.ftl"
    );
    for ((key, en_vars), (_, zh_vars)) in en.iter().zip(&zh) {
        assert_eq!(en_vars, zh_vars, "`{key}` uses the same variables in both");
    }
    assert!(en.len() >= 10);
}

#[test]
fn the_language_is_the_flag_then_kpi_lang_then_the_locale_then_english() {
    let env = |pairs: &'static [(&'static str, &'static str)]| {
        move |name: &str| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        }
    };
    assert_eq!(Lang::chosen(None, env(&[])), Lang::En);
    assert_eq!(
        Lang::chosen(None, env(&[("LANG", "zh_CN.UTF-8")])),
        Lang::ZhCn
    );
    assert_eq!(Lang::chosen(None, env(&[("LANG", "C.UTF-8")])), Lang::En);
    // LC_ALL, then LC_MESSAGES, then LANG: the first one set decides.
    let both = env(&[("LC_ALL", "en_US.UTF-8"), ("LANG", "zh_CN.UTF-8")]);
    assert_eq!(Lang::chosen(None, both), Lang::En);
    let messages = env(&[
        ("LC_ALL", ""),
        ("LC_MESSAGES", "zh_TW.UTF-8"),
        ("LANG", "en_US"),
    ]);
    assert_eq!(Lang::chosen(None, messages), Lang::ZhCn);
    let kpi_lang = env(&[("KPI_LANG", "zh-CN"), ("LC_ALL", "en_US.UTF-8")]);
    assert_eq!(Lang::chosen(None, kpi_lang), Lang::ZhCn);
    let flag = env(&[("KPI_LANG", "zh-CN"), ("LANG", "zh_CN.UTF-8")]);
    assert_eq!(Lang::chosen(Some("en"), flag), Lang::En);
    // A language kpi does not speak is passed over.
    assert_eq!(
        Lang::chosen(None, env(&[("KPI_LANG", "fr"), ("LANG", "zh_CN")])),
        Lang::ZhCn
    );
}

#[test]
fn counts_are_written_as_plain_numbers_in_both_languages() {
    let rows = text_in(Lang::En, "rows-count", &[("n", Arg::Count(1_000_000))]);
    assert_eq!(rows, "1000000 rows");
    assert_eq!(
        text_in(Lang::En, "rows-count", &[("n", Arg::Count(1))]),
        "1 row"
    );
    let summary = text_in(
        Lang::En,
        "run-summary",
        &[
            ("read", Arg::Text(&rows)),
            ("evaluated", Arg::Count(999_998)),
            ("failed", Arg::Count(2)),
            ("empty", Arg::Text("")),
        ],
    );
    assert_eq!(summary, "1000000 rows read, 999998 evaluated, 2 failed");
    let zh_rows = text_in(Lang::ZhCn, "rows-count", &[("n", Arg::Count(24))]);
    let zh = text_in(
        Lang::ZhCn,
        "run-summary",
        &[
            ("read", Arg::Text(&zh_rows)),
            ("evaluated", Arg::Count(24)),
            ("failed", Arg::Count(0)),
            ("empty", Arg::Text("")),
        ],
    );
    assert_eq!(zh, "读入 24 行，其中计算完成 24 个，失败 0 个");
    assert!(!zh.contains(['\u{2068}', '\u{2069}']), "no isolation marks");
    assert_eq!(
        text_in(Lang::ZhCn, "no-such-message", &[]),
        "no-such-message"
    );
}

fn kpi(args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_kpi"));
    command
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("KPI_LANG")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", "C.UTF-8");
    for (k, v) in env {
        command.env(k, v);
    }
    command.output().unwrap()
}

/// A folder of its own for one test's files, removed when it ends.
struct Scratch(std::path::PathBuf);

impl Scratch {
    fn new(test: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("kpi-i18n-{test}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    /// Writes `text` to `name` in the folder and gives its path.
    fn file(&self, name: &str, text: &str) -> String {
        let path = self.0.join(name);
        std::fs::write(&path, text).unwrap();
        path.to_str().unwrap().to_string()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        std::fs::remove_dir_all(&self.0).ok();
    }
}

/// What `kpi check --lang zh-CN` says on stderr of a policy `text`, and
/// that it says each of `words`.
fn check_in_chinese(name: &str, text: &str, words: &[&str]) -> String {
    let scratch = Scratch::new(name.trim_end_matches(".kpi"));
    let file = scratch.file(name, text);
    let zh = kpi(&["check", &file, "--lang", "zh-CN"], &[]);
    let stderr = String::from_utf8_lossy(&zh.stderr).into_owned();
    for words in words {
        assert!(stderr.contains(words), "{words}\n{stderr}");
    }
    stderr
}

#[test]
fn a_chinese_locale_gets_chinese_words_and_lang_en_overrides_it() {
    let broken = "tests/fixtures/errors/weights-range.kpi";
    assert!(std::path::Path::new(broken).exists());
    let zh = kpi(&["check", broken], &[("LANG", "zh_CN.UTF-8")]);
    let stderr = String::from_utf8_lossy(&zh.stderr);
    assert!(
        stderr.contains("已检查 1 个文件：1 个错误，0 个警告"),
        "{stderr}"
    );
    assert_eq!(zh.status.code(), Some(1));

    let en = kpi(
        &["check", broken, "--lang", "en"],
        &[("LANG", "zh_CN.UTF-8")],
    );
    let stderr = String::from_utf8_lossy(&en.stderr);
    assert!(
        stderr.contains("checked 1 file: 1 error, 0 warnings"),
        "{stderr}"
    );

    let eval = kpi(
        &[
            "eval",
            "policies/foreign_trade_sales.kpi",
            "--data",
            "examples/foreign_trade_sales.csv",
            "--format",
            "csv",
        ],
        &[("KPI_LANG", "zh-CN")],
    );
    let stderr = String::from_utf8_lossy(&eval.stderr);
    assert!(
        stderr.contains("读入 24 行，其中计算完成 24 个，失败 0 个"),
        "{stderr}"
    );
    // The results themselves are the same in every language.
    let en_eval = kpi(
        &[
            "eval",
            "policies/foreign_trade_sales.kpi",
            "--data",
            "examples/foreign_trade_sales.csv",
            "--format",
            "csv",
        ],
        &[],
    );
    assert_eq!(eval.stdout, en_eval.stdout);

    let unknown = kpi(&["check", broken, "--lang", "fr"], &[]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("kpi speaks `en` and `zh-CN`"));
}

/// The first diagnostic in the catalogue, as the issue asks it to read:
/// message, help and the fix's title in Chinese, code and spans unchanged.
#[test]
fn weights_that_do_not_add_up_are_told_in_chinese() {
    let scratch = Scratch::new("weights");
    let file = scratch.file(
        "权重.kpi",
        "policy \"p\" {\n  period quarter\n  input a score\n  input b score\n  indicator 业绩 weight 60% {\n    points a\n  }\n  indicator 态度 weight 35% {\n    points b\n  }\n}\n",
    );
    let file = file.as_str();
    let zh = kpi(&["check", file, "--lang", "zh-CN"], &[]);
    let stderr = String::from_utf8_lossy(&zh.stderr);
    assert!(stderr.contains("kpi::weights::sum"), "{stderr}");
    assert!(
        stderr.contains("× 各指标权重合计为 95%，应为 100%"),
        "{stderr}"
    );
    assert!(
        stderr.contains("help: 权重合计必须恰好为 100%：请在各指标间再分配 5%"),
        "{stderr}"
    );
    let json = kpi(&["check", file, "--lang", "zh-CN", "--format", "json"], &[]);
    let json = String::from_utf8_lossy(&json.stdout);
    assert!(json.contains("\"kpi::weights::sum\""), "codes stay: {json}");
    // The fix the editor offers is titled in the same language (this
    // test binary's other tests name their language, or run kpi).
    kpi::i18n::set(Lang::ZhCn);
    let analysis = kpi::ide::analyze_bytes("权重.kpi", std::fs::read(file).unwrap());
    kpi::i18n::set(Lang::En);
    let titles: Vec<String> = analysis
        .diagnostics
        .iter()
        .flat_map(|d| d.fixes.iter().map(|f| f.title.clone()))
        .collect();
    assert!(
        titles.contains(&"把 `业绩` 的权重改为 65%（目前权重合计为 95%）".to_string()),
        "{titles:?}"
    );
    let en = kpi(&["check", file], &[]);
    let stderr = String::from_utf8_lossy(&en.stderr);
    assert!(
        stderr.contains("× the indicator weights add up to 95%, not 100%"),
        "{stderr}"
    );
}

/// The warnings after a run with quotas read in Chinese, numbers unchanged.
#[test]
fn broken_quotas_are_warned_of_in_chinese() {
    let scratch = Scratch::new("quota");
    let text = std::fs::read_to_string("tests/fixtures/quotas/ranking.kpi").unwrap();
    let policy = scratch.file(
        "no-ranking.kpi",
        &text.replace("    forced ranking, ties by 民主评议\n", ""),
    );
    let args = [
        "eval",
        policy.as_str(),
        "--data",
        "tests/fixtures/quotas/ranking.csv",
        "--format",
        "csv",
    ];
    let zh = kpi(&[&args[..], &["--lang", "zh-CN"]].concat(), &[]);
    let stderr = String::from_utf8_lossy(&zh.stderr);
    assert!(
        stderr.contains(
            "警告：分布比例 `C + D >= 30%`（销售二部）未能满足：3 人中有 0 人，至少应为 1 人"
        ),
        "{stderr}"
    );
    let en = kpi(&args, &[]);
    let stderr = String::from_utf8_lossy(&en.stderr);
    assert!(
        stderr.contains(
            "warning: quota `C + D >= 30%` is broken in 销售二部: 0 of 3 people, at least 1"
        ),
        "{stderr}"
    );
}

/// A name typed wrong, a name given twice: the commonest mistakes after
/// the weights, in Chinese, with the fix the editor offers.
#[test]
fn unknown_and_repeated_names_are_told_in_chinese() {
    check_in_chinese(
        "名称.kpi",
        "policy \"p\" {\n  period quarter\n  currency CNY\n  input 成交额 money\n  input 目标 money\n  indicator 业绩 weight 100% {\n    measure 成交额 / 目標\n    points linear { 0% => 0, 100% => 100 }\n  }\n  let 业绩 = 1\n}\n",
        &[
            "× 没有定义 `目標`",
            "未知的名称",
            "help: 是不是想写 `目标`？",
            "× `业绩` 定义了两次",
            "第一次在这里定义，是指标",
            "这里又定义了一次",
        ],
    );
}

/// A gap between grade bands, in Chinese, with the band that closes it.
#[test]
fn a_gap_between_grades_is_told_in_chinese() {
    check_in_chinese(
        "等级.kpi",
        "policy \"p\" {\n  period quarter\n  input a score\n  indicator i weight 100% { points a }\n  grades {\n    A >= 90\n    B 70 <= score < 85\n    C score < 70\n  }\n}\n",
        &[
            "× 得分在 85 <= score < 90 时没有对应的绩效等级",
            "help: 让 `B` 一直延伸到上一档的起点：`B 70 <= score < 90`",
        ],
    );
}

/// A spreadsheet whose columns do not fit: what is missing, in Chinese.
#[test]
fn a_data_file_that_does_not_fit_is_told_in_chinese() {
    let scratch = Scratch::new("data");
    let data = scratch.file("数据.csv", "工号,姓名,岗位,成交额\nE1,甲,业务员,1\n");
    let args = [
        "eval",
        "policies/foreign_trade_sales.kpi",
        "--data",
        data.as_str(),
    ];
    let zh = kpi(&[&args[..], &["--lang", "zh-CN"]].concat(), &[]);
    let stderr = String::from_utf8_lossy(&zh.stderr);
    assert!(stderr.contains("的列与方案对不上："), "{stderr}");
    assert!(
        stderr.contains("没有 `差错率` 这一列（“document error rate”）"),
        "{stderr}"
    );
    assert!(
        stderr.contains("提示：数据列按名称、标签或别名与输入项对应"),
        "{stderr}"
    );
    assert_eq!(zh.status.code(), Some(1));
    let en = kpi(&args, &[]);
    let stderr = String::from_utf8_lossy(&en.stderr);
    assert!(
        stderr.contains("no column for `差错率` (\"document error rate\")"),
        "{stderr}"
    );
}

/// A `by grade` table that leaves a grade out, in Chinese.
#[test]
fn a_grade_left_out_of_a_pay_table_is_told_in_chinese() {
    check_in_chinese(
        "薪酬.kpi",
        "policy \"p\" {\n  period quarter\n  currency CNY\n  input a score\n  input base money\n  indicator i weight 100% { points a }\n  grades { A >= 90, B >= 60, C otherwise }\n  pay 奖金 = base * by grade { A 1.5, B 1 }\n}\n",
        &[
            "× 这张表没有给等级 `C` 赋值",
            "help: 每个等级都要有值，每个人才都能算出工资：请补上 `C …`",
        ],
    );
}

/// A steps table with a band after `otherwise`, and a floor above the cap.
#[test]
fn scoring_table_mistakes_are_told_in_chinese() {
    check_in_chinese(
        "档次.kpi",
        "policy \"p\" {\n  period quarter\n  input a score\n  indicator i weight 100% {\n    points steps of a { >= 90 => 100, otherwise 50, >= 80 => 60 }\n    cap 80\n    floor 90\n  }\n}\n",
        &[
            "× `otherwise` 之后不能再写别的档次",
            "help: 把 `otherwise` 移到表的最后",
            "× 保底分高于封顶分",
            "保底 90 分",
            "封顶 80 分",
        ],
    );
}
