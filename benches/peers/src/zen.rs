//! The sales plan as a zen-engine decision graph (JDM, the JSON its editor
//! saves): the step tables (差错, 结汇) and the grade bands are decision
//! tables, first hit wins; the ratios, the scoring curves, the weighted sum
//! with its bonus and deduction, and the pay are expression nodes. Numbers
//! are rust_decimal in zen-engine, so its results equal kpi's exactly.

use serde_json::{Value, json};
use zen_engine::Decision;
use zen_engine::Variable;
use zen_engine::model::DecisionContent;

use crate::floor::{Decided, Sales};

/// The compiled decision graph and the runtime that drives its (async)
/// evaluation on the current thread.
pub struct Zen {
    decision: Decision,
    runtime: tokio::runtime::Runtime,
}

impl Zen {
    pub fn new() -> Zen {
        let content: DecisionContent =
            serde_json::from_value(graph()).expect("the graph is valid JDM");
        let graph = content.as_graph().expect("a graph").clone();
        let mut decision = Decision::from(graph);
        // Precompiled expressions and table indexes: zen-engine's fastest mode.
        decision.compile();
        decision.validate().expect("the graph validates");
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("a runtime");
        Zen { decision, runtime }
    }

    /// One employee's decision, from the inputs as zen-engine takes them.
    pub fn decide(&self, input: &Variable) -> Decided {
        let response = self
            .runtime
            .block_on(self.decision.evaluate(input.clone()))
            .expect("the graph evaluates");
        let result = response.result;
        let number = |key: &str| {
            result
                .dot(key)
                .and_then(|v| v.as_number())
                .unwrap_or_else(|| panic!("`{key}` in {}", result.to_value()))
        };
        let grade = result.dot("grade").expect("a grade");
        Decided {
            score: number("score"),
            grade: crate::grade(grade.as_str().expect("a grade name")),
            pay: number("pay"),
        }
    }
}

impl Default for Zen {
    fn default() -> Self {
        Zen::new()
    }
}

/// An employee's inputs as the graph's input object, exact decimals.
pub fn input(s: &Sales) -> Variable {
    let object = Variable::empty_object();
    for (key, value) in crate::numbers(s) {
        object.dot_insert(key, Variable::Number(value));
    }
    object.dot_insert("breach", Variable::Bool(s.breach));
    object
}

/// `round(min(max(x, 0), 100), 2)`: an indicator's points.
fn points(x: &str) -> String {
    format!("round(min([max([{x}, 0]), 100]), 2)")
}

fn expression(key: &str, value: &str) -> Value {
    json!({ "id": key, "key": key, "value": value })
}

/// A first-hit decision table over one input field.
fn table(id: &str, field: &str, output: &str, rules: &[(&str, &str)]) -> Value {
    let rules: Vec<Value> = rules
        .iter()
        .enumerate()
        .map(|(i, (test, out))| json!({ "_id": format!("{id}{i}"), "in": test, "out": out }))
        .collect();
    json!({
        "id": id, "name": id, "type": "decisionTableNode",
        "content": {
            "hitPolicy": "first",
            "passThrough": true,
            "inputs": [{ "id": "in", "name": field, "field": field }],
            "outputs": [{ "id": "out", "name": output, "field": output }],
            "rules": rules,
        }
    })
}

/// The decision graph: input → ratios → the two step tables → points →
/// score → grade table → pay → output, each node passing its input on.
pub fn graph() -> Value {
    let ratios = json!({
        "id": "ratios", "name": "ratios", "type": "expressionNode",
        "content": { "passThrough": true, "expressions": [
            expression("dealRatio", "deal / dealTarget"),
            expression("fxRatio", "fx / fxTarget"),
            expression("customerRatio", "newCustomers / newTarget"),
            expression("expenseRatio", "expenses / revenue"),
        ]}
    });
    // 差错: lower is better, the first band that matches wins.
    let errors = table(
        "errors",
        "errorRate",
        "errorPoints",
        &[
            ("<= 0.01", "100"),
            ("<= 0.02", "75"),
            ("<= 0.05", "50"),
            ("", "0"),
        ],
    );
    // 结汇: steps on the ratio to target.
    let fx = table(
        "fx",
        "fxRatio",
        "fxPoints",
        &[
            (">= 1.1", "100"),
            (">= 1", "75"),
            (">= 0.8", "50"),
            ("", "0"),
        ],
    );
    // 成交: 0% → 0, 100% → 75, 125% → 100; 新客户: 0% → 0, 100% → 75,
    // 150% → 100; 费用控制: met ⇒ 80, else 10 points per percentage point over.
    let deal = "dealRatio >= 1.25 ? 100 : dealRatio >= 1 ? 75 + (dealRatio - 1) * 100 : dealRatio <= 0 ? 0 : dealRatio * 75";
    let customers = "customerRatio >= 1.5 ? 100 : customerRatio >= 1 ? 75 + (customerRatio - 1) * 50 : customerRatio <= 0 ? 0 : customerRatio * 75";
    let expenses =
        "expenseRatio <= approvedRatio ? 80 : 80 - (expenseRatio - approvedRatio) * 1000";
    let score = json!({
        "id": "score", "name": "score", "type": "expressionNode",
        "content": { "passThrough": true, "expressions": [
            expression("errorPts", &points("errorPoints")),
            expression("reviewPts", &points("review")),
            expression("dealPts", &points(deal)),
            expression("fxPts", &points("fxPoints")),
            expression("customerPts", &points(customers)),
            expression("expensePts", &points(expenses)),
            expression("weighted", "$.errorPts * 0.1 + $.reviewPts * 0.15 + $.dealPts * 0.25 + $.fxPts * 0.2 + $.customerPts * 0.15 + $.expensePts * 0.15"),
            expression("bonus", "min([round(proposals * 2, 2), 6])"),
            expression("deduction", "min([round(complaints * 3, 2), 12])"),
            expression("net", "min([max([$.bonus - $.deduction, -10]), 10])"),
            expression("score", "round(min([max([$.weighted + $.net, 0]), 100]), 2)"),
        ]}
    });
    let grades = json!({
        "id": "grades", "name": "grades", "type": "decisionTableNode",
        "content": {
            "hitPolicy": "first",
            "passThrough": true,
            "inputs": [
                { "id": "breach", "name": "breach", "field": "breach" },
                { "id": "score", "name": "score", "field": "score" },
            ],
            "outputs": [
                { "id": "grade", "name": "grade", "field": "grade" },
                { "id": "coefficient", "name": "coefficient", "field": "coefficient" },
            ],
            "rules": [
                { "_id": "veto", "breach": "true", "score": "", "grade": "'D'", "coefficient": "0.7" },
                { "_id": "S", "breach": "", "score": ">= 95", "grade": "'S'", "coefficient": "1.5" },
                { "_id": "A", "breach": "", "score": ">= 85", "grade": "'A'", "coefficient": "1.3" },
                { "_id": "B", "breach": "", "score": ">= 75", "grade": "'B'", "coefficient": "1.1" },
                { "_id": "C", "breach": "", "score": ">= 65", "grade": "'C'", "coefficient": "0.9" },
                { "_id": "D", "breach": "", "score": "", "grade": "'D'", "coefficient": "0.7" },
            ],
        }
    });
    let pay = json!({
        "id": "pay", "name": "pay", "type": "expressionNode",
        "content": { "passThrough": true, "expressions": [
            expression("pay", "round(base * coefficient, 2)"),
        ]}
    });
    let nodes = vec![
        json!({ "id": "input", "name": "input", "type": "inputNode", "content": {} }),
        ratios,
        errors,
        fx,
        score,
        grades,
        pay,
        json!({ "id": "output", "name": "output", "type": "outputNode", "content": {} }),
    ];
    let order = [
        "input", "ratios", "errors", "fx", "score", "grades", "pay", "output",
    ];
    let edges: Vec<Value> = order
        .windows(2)
        .map(|w| json!({ "id": format!("{}-{}", w[0], w[1]), "sourceId": w[0], "targetId": w[1] }))
        .collect();
    json!({ "nodes": nodes, "edges": edges })
}
