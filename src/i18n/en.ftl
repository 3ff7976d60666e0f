# The words kpi says to people, in English. Every message has its entry in
# zh-CN.ftl too, with the same variables (tests/i18n.rs checks both).

## The last line of a run

# `kpi eval`: what became of the rows. $read is "24 rows" or "12 employees".
run-summary = { $read } read, { $evaluated } evaluated, { $failed } failed{ $empty }
rows-count = { $n ->
    [one] { $n } row
   *[other] { $n } rows
}
employees-count = { $n ->
    [one] { $n } employee
   *[other] { $n } employees
}
# Lines of only separators, passed over; $lines lists the first ten.
empty-lines = { $n ->
    [one] ; 1 line with no values passed over (line { $lines })
   *[other] ; { $n } lines with no values passed over (lines { $lines })
}

# Between the items of a list.
list-separator = {", "}

## `kpi check`

check-summary = checked { $files }: { $errors }, { $warnings }
files-count = { $n ->
    [one] { $n } file
   *[other] { $n } files
}
errors-count = { $n ->
    [one] { $n } error
   *[other] { $n } errors
}
warnings-count = { $n ->
    [one] { $n } warning
   *[other] { $n } warnings
}
check-unreadable = note: { $files } could not be read, so names, units, weights and grades were not checked yet: fix the syntax errors first

## `kpi test`

test-summary = { $passed } passed, { $failed } failed
