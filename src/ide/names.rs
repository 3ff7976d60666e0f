//! Where every name of a policy is written: its definitions and its uses,
//! for go to definition, find references and rename. Read from the parsed
//! text (the syntax tree), so it answers while the policy still has
//! mistakes in names or units.
//!
//! A name means the same thing wherever it is written: a plan's indicator
//! replaces the shared one of the same name, so both are definitions of it,
//! and renaming one renames all.

use crate::language::ast::{
    Clause, ExampleLine, ExpectTarget, Expr, ExprKind, Item, MissingDecl, Name, PointsRule, Policy,
    QuotaLine, VetoEffect,
};
use crate::language::source::Span;

/// What a name names; names of different kinds never refer to each other.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NameKind {
    /// Inputs, values, indicators, bonus and deduction items, pay items.
    Value,
    Grade,
    Plan,
}

/// One place a name is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Occurrence {
    pub name: String,
    pub kind: NameKind,
    pub span: Span,
    /// Whether this is where the name is declared (`input 成交额 money`).
    pub definition: bool,
}

/// Every name written in a policy, in the order it is written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NameIndex {
    pub occurrences: Vec<Occurrence>,
}

impl NameIndex {
    /// The index of a parsed policy.
    pub fn new(policy: &Policy) -> NameIndex {
        let mut walk = Walk::default();
        walk.items(&policy.items);
        // A bare name compared with `grade` is a grade (`grade >= B`); any
        // other bare name is a value, unless only a grade has it.
        let grade_names: Vec<String> = walk
            .found
            .iter()
            .filter(|o| o.kind == NameKind::Grade && o.definition)
            .map(|o| o.name.clone())
            .collect();
        let value_names: Vec<String> = walk
            .found
            .iter()
            .filter(|o| o.kind == NameKind::Value && o.definition)
            .map(|o| o.name.clone())
            .collect();
        for o in &mut walk.found {
            if o.kind == NameKind::Value
                && !o.definition
                && !value_names.contains(&o.name)
                && grade_names.contains(&o.name)
            {
                o.kind = NameKind::Grade;
            }
        }
        walk.found.sort_by_key(|o| o.span.start);
        NameIndex {
            occurrences: walk.found,
        }
    }

    /// The occurrence whose name covers byte `offset` (or ends at it, as
    /// the cursor stands just after a name it has typed).
    pub fn at(&self, offset: usize) -> Option<&Occurrence> {
        self.occurrences
            .iter()
            .find(|o| o.span.start <= offset && offset < o.span.end)
            .or_else(|| self.occurrences.iter().find(|o| o.span.end == offset))
    }

    /// Every occurrence of the same name as `of`, definitions included.
    pub fn same<'a>(&'a self, of: &'a Occurrence) -> impl Iterator<Item = &'a Occurrence> {
        self.occurrences
            .iter()
            .filter(move |o| o.kind == of.kind && o.name == of.name)
    }

    /// The definitions of the name at `offset`.
    pub fn definitions(&self, offset: usize) -> Vec<Span> {
        let Some(at) = self.at(offset) else {
            return Vec::new();
        };
        self.same(at)
            .filter(|o| o.definition)
            .map(|o| o.span)
            .collect()
    }

    /// Every place the name at `offset` is written; its definitions only
    /// when `with_definitions`.
    pub fn references(&self, offset: usize, with_definitions: bool) -> Vec<Span> {
        let Some(at) = self.at(offset) else {
            return Vec::new();
        };
        self.same(at)
            .filter(|o| with_definitions || !o.definition)
            .map(|o| o.span)
            .collect()
    }

    /// Whether some definition of any kind has the name `name`.
    pub fn is_defined(&self, name: &str) -> bool {
        self.occurrences
            .iter()
            .any(|o| o.definition && o.name == name)
    }

    /// The names defined, each once, with their kind, in the order first written.
    pub fn defined(&self) -> Vec<&Occurrence> {
        let mut seen: Vec<&Occurrence> = Vec::new();
        for o in self.occurrences.iter().filter(|o| o.definition) {
            if !seen.iter().any(|s| s.kind == o.kind && s.name == o.name) {
                seen.push(o);
            }
        }
        seen
    }

    /// The edits that rename the name at `offset` to `new_name`, or why not.
    pub fn rename(&self, offset: usize, new_name: &str) -> Result<Vec<Span>, RenameError> {
        let at = self.at(offset).ok_or(RenameError::NoName)?;
        if !is_name(new_name) {
            return Err(RenameError::NotAName(new_name.to_string()));
        }
        if crate::language::syntax::RESERVED.contains(&new_name) {
            return Err(RenameError::Reserved(new_name.to_string()));
        }
        if new_name != at.name && self.is_defined(new_name) {
            return Err(RenameError::Taken(new_name.to_string()));
        }
        Ok(self.same(at).map(|o| o.span).collect())
    }
}

/// Why a rename is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RenameError {
    NoName,
    NotAName(String),
    Reserved(String),
    Taken(String),
}

impl std::fmt::Display for RenameError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RenameError::NoName => write!(f, "there is no name of the policy here to rename"),
            RenameError::NotAName(n) => write!(
                f,
                "`{n}` is not a name: a name is letters of any script, digits and `_`, not starting with a digit"
            ),
            RenameError::Reserved(n) => {
                write!(
                    f,
                    "`{n}` is a reserved word of the language: choose another name"
                )
            }
            RenameError::Taken(n) => write!(
                f,
                "the policy already has something named `{n}`: choose another name"
            ),
        }
    }
}

/// Whether `text` can be written as a name (what the grammar's `ident` reads).
pub fn is_name(text: &str) -> bool {
    let mut chars = text.chars();
    chars
        .next()
        .is_some_and(|c| c == '_' || pest::unicode::XID_START(c))
        && chars.all(pest::unicode::XID_CONTINUE)
}

#[derive(Default)]
struct Walk {
    found: Vec<Occurrence>,
}

impl Walk {
    fn name(&mut self, name: &Name, kind: NameKind, definition: bool) {
        self.found.push(Occurrence {
            name: name.text.clone(),
            kind,
            span: name.span,
            definition,
        });
    }

    fn items(&mut self, items: &[Item]) {
        for item in items {
            self.item(item);
        }
    }

    fn item(&mut self, item: &Item) {
        use NameKind::*;
        match item {
            Item::Input(d) => {
                self.name(&d.name, Value, true);
                if let Some(MissingDecl::Default(e)) = &d.missing {
                    self.expr(e);
                }
                for bound in &d.range {
                    self.expr(&bound.value);
                }
            }
            Item::Let(d) => {
                self.name(&d.name, Value, true);
                self.expr(&d.value);
            }
            Item::Indicator(d) => {
                self.name(&d.name, Value, true);
                self.clauses(&d.clauses);
            }
            Item::Adjustment(d) => {
                self.name(&d.name, Value, true);
                self.clauses(&d.clauses);
            }
            Item::Grades(d) => {
                // A band's condition holds numbers only.
                for band in &d.bands {
                    self.name(&band.name, Grade, true);
                }
            }
            Item::Veto(d) => {
                self.expr(&d.condition);
                match &d.effect {
                    VetoEffect::Grade(g) => self.name(g, Grade, false),
                    VetoEffect::ZeroIndicator { indicator, .. } => {
                        self.name(indicator, Value, false)
                    }
                }
            }
            Item::Pay(d) => {
                self.name(&d.name, Value, true);
                self.expr(&d.value);
            }
            Item::Quotas(d) => {
                for line in &d.lines {
                    match line {
                        QuotaLine::Limit(limit) => {
                            for g in &limit.grades {
                                self.name(g, Grade, false);
                            }
                        }
                        QuotaLine::Ranking { ties, .. } => {
                            for tie in ties {
                                self.name(&tie.name, Value, false);
                            }
                        }
                        QuotaLine::Rounding { .. } => {}
                    }
                }
            }
            Item::Plan(d) => {
                self.name(&d.name, Plan, true);
                if let Some(base) = &d.extends {
                    self.name(base, Plan, false);
                }
                self.items(&d.items);
            }
            Item::Drop(d) => {
                for n in &d.names {
                    self.name(n, Value, false);
                }
            }
            Item::Example(d) => {
                for line in &d.lines {
                    match line {
                        ExampleLine::Given { input, value, .. } => {
                            self.name(input, Value, false);
                            self.expr(value);
                        }
                        ExampleLine::Expect { target, value, .. } => {
                            if let ExpectTarget::Name(n) = target {
                                self.name(n, Value, false);
                            }
                            self.expr(value);
                        }
                    }
                }
            }
            Item::Period(_)
            | Item::Currency(_)
            | Item::Round(_)
            | Item::Employee(_)
            | Item::AdjustCap(_)
            | Item::ScoreRange(_)
            | Item::Override(_)
            | Item::Year(_) => {}
        }
    }

    fn clauses(&mut self, clauses: &[Clause]) {
        for clause in clauses {
            match clause {
                Clause::Measure(e) => self.expr(e),
                Clause::Points(rule) => self.points(rule),
                Clause::Cap(..) | Clause::Floor(..) => {}
            }
        }
    }

    fn points(&mut self, rule: &PointsRule) {
        match rule {
            PointsRule::Expr(e) => self.expr(e),
            PointsRule::When {
                condition,
                points,
                otherwise,
                ..
            } => {
                self.expr(condition);
                self.expr(points);
                self.points(otherwise);
            }
        }
    }

    fn expr(&mut self, expr: &Expr) {
        match &expr.kind {
            ExprKind::Name(text) => self.found.push(Occurrence {
                name: text.clone(),
                kind: NameKind::Value,
                span: expr.span,
                definition: false,
            }),
            ExprKind::ByGrade(values, _) => {
                for v in values {
                    self.name(&v.grade, NameKind::Grade, false);
                }
            }
            _ => {}
        }
        expr.for_each_child(|e| self.expr(e));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::language::source::Source;

    const POLICY: &str = "policy \"p\" {\n  input 成交额 money\n  input 目标 money\n  let 完成率 = 成交额 / 目标\n  indicator 业绩 weight 100% {\n    measure 完成率\n    points linear { 0% => 0, 100% => 75, 125% => 100 }\n  }\n  grades { A >= 85, B otherwise }\n  pay 奖金 = by grade { A ¥100, B ¥0 }\n  veto when grade == B => grade B\n}\n";

    fn index() -> (Source, NameIndex) {
        let source = Source::new("p.kpi", POLICY);
        let policy = crate::language::syntax::parse(&source).unwrap_or_else(|e| panic!("{e:?}"));
        let index = NameIndex::new(&policy);
        (source, index)
    }

    fn at(text: &str, needle: &str, nth: usize) -> usize {
        text.match_indices(needle)
            .nth(nth)
            .map(|(i, _)| i)
            .unwrap_or_else(|| panic!("no {needle} #{nth}"))
    }

    #[test]
    fn a_use_leads_to_its_definition_and_back() {
        let (source, index) = index();
        let text = source.text();
        // The second 完成率 is its use in `measure`.
        let use_at = at(text, "完成率", 1);
        let defs = index.definitions(use_at);
        assert_eq!(defs.len(), 1);
        assert_eq!(defs[0].start, at(text, "完成率", 0));
        assert_eq!(source.slice(defs[0]), "完成率");
        let refs = index.references(defs[0].start, false);
        assert_eq!(refs.iter().map(|s| s.start).collect::<Vec<_>>(), [use_at]);
    }

    #[test]
    fn grades_are_found_in_tables_comparisons_and_vetoes() {
        let (source, index) = index();
        let text = source.text();
        let b = at(text, "B otherwise", 0);
        let refs = index.references(b, true);
        // The band, the `by grade` entry, `grade == B` and `=> grade B`.
        assert_eq!(refs.len(), 4, "{refs:?}");
        assert!(refs.iter().all(|s| source.slice(*s) == "B"));
    }

    #[test]
    fn rename_is_refused_when_the_name_is_taken_reserved_or_not_a_name() {
        let (source, index) = index();
        let text = source.text();
        let goal = at(text, "目标", 0);
        assert_eq!(index.rename(goal, "成交目标").map(|s| s.len()), Ok(2));
        assert_eq!(
            index.rename(goal, "成交额"),
            Err(RenameError::Taken("成交额".into()))
        );
        assert_eq!(
            index.rename(goal, "score"),
            Err(RenameError::Reserved("score".into()))
        );
        assert_eq!(
            index.rename(goal, "2目标"),
            Err(RenameError::NotAName("2目标".into()))
        );
        assert_eq!(index.rename(0, "x"), Err(RenameError::NoName));
    }
}
