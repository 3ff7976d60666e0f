//! The words kpi says to people, from one catalogue per language: English
//! and Simplified Chinese (zh-CN), in Project Fluent's format
//! (`src/i18n/en.ftl`, `src/i18n/zh-CN.ftl`), embedded in the binary.
//! Codes (`kpi::weights::sum`) and JSON keys are the same in every
//! language; only texts meant for people are looked up here.
//!
//! The language is chosen once per process ([`set`]; the CLI does it from
//! `--lang`, `KPI_LANG` and the locale, see [`Lang::chosen`]) and read
//! by [`text`]. A message missing from a catalogue falls back to English,
//! and one missing from both to its key: looking up never fails.

use std::sync::LazyLock;
use std::sync::atomic::{AtomicU8, Ordering};

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

/// A language kpi speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    En,
    ZhCn,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::ZhCn];

    /// `en`, `zh-CN`: as `--lang` takes it.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::ZhCn => "zh-CN",
        }
    }

    /// A language tag or locale as people and systems write it: `zh-CN`,
    /// `zh_CN.UTF-8`, `zh`, `en_US.UTF-8`, `C`. `None` for one kpi does not
    /// speak (and for an empty value).
    pub fn parse(tag: &str) -> Option<Lang> {
        let tag = tag.trim().to_ascii_lowercase();
        if tag.starts_with("zh") {
            Some(Lang::ZhCn)
        } else if tag.starts_with("en") || tag == "c" || tag == "posix" || tag.starts_with("c.") {
            Some(Lang::En)
        } else {
            None
        }
    }

    /// The language to speak: `flag` (`--lang`), else `KPI_LANG`, else
    /// the locale (`LC_ALL`, then `LC_MESSAGES`, then `LANG`: the first
    /// one set decides, as POSIX says), else English.
    pub fn chosen(flag: Option<&str>, env: impl Fn(&str) -> Option<String>) -> Lang {
        if let Some(lang) = flag.and_then(Lang::parse) {
            return lang;
        }
        if let Some(lang) = env("KPI_LANG").as_deref().and_then(Lang::parse) {
            return lang;
        }
        ["LC_ALL", "LC_MESSAGES", "LANG"]
            .iter()
            .find_map(|name| env(name).filter(|v| !v.is_empty()))
            .and_then(|locale| Lang::parse(&locale))
            .unwrap_or(Lang::En)
    }

    fn source(self) -> &'static str {
        match self {
            Lang::En => include_str!("en.ftl"),
            Lang::ZhCn => include_str!("zh-CN.ftl"),
        }
    }

    fn index(self) -> usize {
        match self {
            Lang::En => 0,
            Lang::ZhCn => 1,
        }
    }
}

static CURRENT: AtomicU8 = AtomicU8::new(0);

/// Speaks `lang` from now on, in this process.
pub fn set(lang: Lang) {
    CURRENT.store(lang.index() as u8, Ordering::Relaxed);
}

/// The language chosen with [`set`] (English until then).
pub fn current() -> Lang {
    match CURRENT.load(Ordering::Relaxed) {
        1 => Lang::ZhCn,
        _ => Lang::En,
    }
}

/// A value put into a message.
#[derive(Debug, Clone, Copy)]
pub enum Arg<'a> {
    Text(&'a str),
    /// A count: it chooses the message's plural form.
    Count(usize),
}

static BUNDLES: LazyLock<Vec<FluentBundle<FluentResource>>> = LazyLock::new(|| {
    Lang::ALL
        .iter()
        .map(|&lang| {
            let id = lang.code().parse().unwrap_or_default();
            let mut bundle = FluentBundle::new_concurrent(vec![id]);
            // No Unicode isolation marks around values: kpi's words go to
            // terminals, CSV files and CI logs, not into mixed-direction text.
            bundle.set_use_isolating(false);
            // Parse errors are caught by the tests; whatever parsed is used.
            let resource = match FluentResource::try_new(lang.source().to_string()) {
                Ok(resource) | Err((resource, _)) => resource,
            };
            if let Err(errors) = bundle.add_resource(resource) {
                drop(errors);
            }
            bundle
        })
        .collect()
});

/// The message `key` in the current language, with `args` put in.
pub fn text(key: &str, args: &[(&str, Arg<'_>)]) -> String {
    text_in(current(), key, args)
}

/// The message `key` in `lang`, with `args` put in.
pub fn text_in(lang: Lang, key: &str, args: &[(&str, Arg<'_>)]) -> String {
    let mut fluent = FluentArgs::new();
    for (name, arg) in args {
        match *arg {
            Arg::Text(t) => fluent.set(*name, FluentValue::from(t)),
            Arg::Count(n) => fluent.set(*name, FluentValue::from(n)),
        }
    }
    for lang in [lang, Lang::En] {
        let Some(bundle) = BUNDLES.get(lang.index()) else {
            continue;
        };
        if let Some(pattern) = bundle.get_message(key).and_then(|m| m.value()) {
            let mut errors = Vec::new();
            return bundle
                .format_pattern(pattern, Some(&fluent), &mut errors)
                .into_owned();
        }
    }
    key.to_string()
}

/// Every message of `lang`'s catalogue, each with the variables it uses,
/// sorted: for the test that both languages have the same.
pub fn catalogue(lang: Lang) -> Result<Vec<(String, Vec<String>)>, String> {
    use fluent_syntax::ast::{Entry, Expression, InlineExpression, Pattern, PatternElement};
    fn walk(pattern: &Pattern<&str>, vars: &mut Vec<String>) {
        for element in &pattern.elements {
            if let PatternElement::Placeable { expression } = element {
                expression_vars(expression, vars);
            }
        }
    }
    fn inline_vars(e: &InlineExpression<&str>, vars: &mut Vec<String>) {
        match e {
            InlineExpression::VariableReference { id } => vars.push(id.name.to_string()),
            InlineExpression::Placeable { expression } => expression_vars(expression, vars),
            _ => {}
        }
    }
    fn expression_vars(e: &Expression<&str>, vars: &mut Vec<String>) {
        match e {
            Expression::Inline(inline) => inline_vars(inline, vars),
            Expression::Select { selector, variants } => {
                inline_vars(selector, vars);
                for v in variants {
                    walk(&v.value, vars);
                }
            }
        }
    }
    let resource = fluent_syntax::parser::parse(lang.source())
        .map_err(|(_, errors)| format!("{}: {errors:?}", lang.code()))?;
    let mut messages = Vec::new();
    for entry in &resource.body {
        if let Entry::Message(message) = entry {
            let mut vars = Vec::new();
            if let Some(value) = &message.value {
                walk(value, &mut vars);
            }
            vars.sort();
            vars.dedup();
            messages.push((message.id.name.to_string(), vars));
        }
    }
    messages.sort();
    Ok(messages)
}
