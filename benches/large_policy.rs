//! A generated policy far larger than any company's: 200 indicators over
//! 10 plans, 50 pay items. The compile benchmark times it; a test checks
//! that it compiles. Shared through `#[path]`.
#![allow(dead_code)]

use std::fmt::Write;

pub const PLANS: usize = 10;
pub const INDICATORS_PER_PLAN: usize = 20;
pub const PAY_ITEMS: usize = 50;

pub fn text() -> String {
    sized(PLANS, PAY_ITEMS)
}

/// The same policy with `plans` plans of 20 indicators and `pay_items` pay
/// items: `sized(63, 50)` is about 5,000 lines.
pub fn sized(plans: usize, pay_items: usize) -> String {
    let mut t = String::from(
        "policy \"large\" {\n  period quarter\n  currency CNY\n  employee id 工号\n  employee plan 岗位\n\n",
    );
    for i in 0..10 {
        let _ = writeln!(t, "  input 实绩{i} money \"actual {i}\"");
        let _ = writeln!(t, "  input 目标{i} money \"target {i}\"");
        let _ = writeln!(t, "  input 比率{i} percent \"rate {i}\"");
        let _ = writeln!(t, "  input 评分{i} score \"review {i}\"");
    }
    t.push_str("  input 基数 money \"base\"\n  input 违规 yes/no \"breach\"\n\n");
    for i in 0..10 {
        let _ = writeln!(t, "  let 完成率{i} = 实绩{i} / 目标{i}");
    }
    t.push_str(
        "\n  bonus 加分 { points if 评分0 >= 95 then 3 else 0  cap 5 }\n  \
         deduction 扣分 { points if 比率0 > 10% then 5 else 0  cap 10 }\n  \
         veto \"breach\" when 违规 => grade D\n\n  \
         grades {\n    S score >= 95\n    A 85 <= score < 95\n    B 75 <= score < 85\n    \
         C 65 <= score < 75\n    D score < 65\n  }\n\n",
    );
    for p in 0..plans {
        let _ = writeln!(t, "  plan 岗位{p} \"role {p}\" {{");
        for k in 0..INDICATORS_PER_PLAN {
            let i = (p + k) % 10;
            let body = match k % 4 {
                0 => format!(
                    "measure 完成率{i}\n      points linear {{ 0% => 0, 100% => 75, 125% => 100 }}"
                ),
                1 => format!(
                    "measure 完成率{i}\n      points steps {{ >= 110% => 100, >= 100% => 75, >= 80% => 50, otherwise 0 }}"
                ),
                2 => format!(
                    "measure 比率{i}\n      points steps {{ <= 1% => 100, <= 2% => 75, <= 5% => 50, otherwise 0 }}"
                ),
                _ => format!("points 评分{i}"),
            };
            let _ = writeln!(
                t,
                "    indicator 指标{p}_{k} weight 5% {{\n      {body}\n    }}"
            );
        }
        t.push_str("  }\n\n");
    }
    for n in 0..pay_items {
        let i = n % 10;
        if n > 0 && n % 10 == 0 {
            let _ = writeln!(t, "  pay 小计{n} = 项目{} + 项目{}", n - 1, n - 2);
        } else {
            let _ = writeln!(
                t,
                "  pay 项目{n} = 基数 * by grade {{ S 1.5, A 1.3, B 1.1, C 0.9, D 0.7 }} + 实绩{i} * 0.1%"
            );
        }
    }
    t.push_str("}\n");
    t
}
