//! `kpi inputs`: the columns a policy needs in its data.

use std::path::PathBuf;

use unicode_width::UnicodeWidthStr;

use super::exit;

/// List the data columns a policy needs: the id column, the name column, and each input.
#[derive(clap::Args)]
#[command(after_help = "With --csv, prints a CSV header row to start a data file from.")]
pub(crate) struct Args {
    /// The policy file (.kpi).
    policy: PathBuf,
    /// Print a CSV header row instead of the table.
    #[arg(long)]
    csv: bool,
}

pub(crate) fn run(args: Args) -> u8 {
    let program = match super::load_program(&args.policy) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let policy = program.policy();
    let mut rows: Vec<(String, String, String)> = vec![(
        policy.id_column.clone(),
        "id".to_string(),
        "employee id".to_string(),
    )];
    if let Some(name) = &policy.name_column {
        rows.push((
            name.clone(),
            "text".to_string(),
            "employee name".to_string(),
        ));
    }
    if let Some(plan) = &policy.plan_column {
        let names: Vec<&str> = policy.plans.iter().map(|p| p.name.as_str()).collect();
        rows.push((
            plan.clone(),
            "plan".to_string(),
            format!("the employee's plan: {}", names.join(", ")),
        ));
    }
    if let Some(group) = policy.quota_group_column() {
        rows.push((
            group.to_string(),
            "text".to_string(),
            "the group the quotas count in".to_string(),
        ));
    }
    for input in &policy.inputs {
        rows.push((
            input.name.clone(),
            input.ty.as_str().to_string(),
            input.label.clone().unwrap_or_default(),
        ));
    }
    if args.csv {
        let mut writer = csv::Writer::from_writer(Vec::new());
        let _ = writer.write_record(rows.iter().map(|(name, _, _)| name));
        print!(
            "{}",
            String::from_utf8(writer.into_inner().unwrap_or_default()).unwrap_or_default()
        );
        return exit::OK;
    }
    let width = rows.iter().map(|(n, _, _)| n.width()).max().unwrap_or(0);
    println!("{:width$}  {:7}  label", "column", "type");
    for (name, ty, label) in &rows {
        let pad = width - name.width();
        println!("{name}{:pad$}  {ty:7}  {label}", "");
    }
    println!("\nA column may also be named by the input's label.");
    exit::OK
}
