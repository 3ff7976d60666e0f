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

## Warnings after a run with quotas

# $bound is `most` or `least`; $place is quota-place or nothing.
quota-broken = warning: quota `{ $quota }` is broken{ $place }: { $actual } of { $people } people, { $bound ->
    [most] at most
   *[least] at least
} { $limit }
quota-place = {" "}in { $group }
# $group is unranked-company or unranked-group.
unranked = warning: forced ranking cannot make every quota hold for { $group } ({ $people } people, with the grades vetoes set): grades are left as the scores gave them
unranked-company = the company
unranked-group = group `{ $group }`

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

## Diagnostics, by code. Each message's label and help follow it.

# kpi::weights::range
weights-range = the weight of `{ $name }` must be more than 0% and at most 100%
weights-range-label = out of range
weights-range-help = give each indicator a share of the score, such as `weight 30%`; leave out an indicator that should not count

# kpi::weights::sum. $verb is `add` or `remove`; $unmarked is weights-sum-unmarked or nothing.
weights-sum = the indicator weights add up to { $sum }, not 100%
weights-sum-help = { $verb ->
    [add] weights must add up to exactly 100%: add { $diff } across the indicators{ $unmarked }
   *[remove] weights must add up to exactly 100%: remove { $diff } across the indicators{ $unmarked }
}
weights-sum-unmarked = {" "}(the first { $marked } of { $count } indicators are marked; { $more } more follow)
weights-sum-fix = set the weight of `{ $name }` to { $weight } (the weights add up to { $sum } now)

# kpi::name::unknown (and every "did you mean")
name-unknown = `{ $name }` is not defined
name-unknown-label = unknown name
name-unknown-grade = `{ $name }` is a grade: compare the grade with it, as in `grade = { $name }`
name-unknown-is-label = "{ $name }" is the label of `{ $named }`: formulas use the name, `{ $named }`
name-unknown-declare = declare it first, e.g. `input { $name } money "label"`, or check the spelling
did-you-mean = did you mean `{ $name }`?
change-to = change to `{ $name }`

# kpi::name::duplicate. $kind is one of the kind- messages.
name-duplicate = `{ $name }` is defined twice
name-duplicate-again = defined again here
name-duplicate-first = first defined here, as { $kind }
name-duplicate-help = every name in a policy must be different: rename one of them (labels in quotes may repeat)
kind-input = an input
kind-value = a value
kind-indicator = an indicator
kind-adjustment = a bonus or deduction item
kind-pay = a pay item
kind-score = the score
kind-grade = a grade
kind-example = an example

# kpi::unused_input
unused-input = input `{ $name }` is never used
unused-input-label = declared here, used nowhere
unused-input-help = use it in a formula, or remove the line; the data file may keep its column
unused-input-fix = remove the input `{ $name }`

# kpi::header::duplicate. $what is one of the header- messages.
header-duplicate = the { $what } is given twice
header-duplicate-again = given again here
header-duplicate-first = first given here
header-duplicate-help = keep one of the two lines
header-period = period
header-currency = currency
header-money-rounding = rounding of money
header-score-rounding = rounding of scores
header-id-column = employee id column
header-name-column = employee name column
header-plan-column = employee plan column
header-score-range = score range
header-bonus-cap = cap on bonuses
header-deduction-cap = cap on deductions
header-adjustment-cap = cap on adjustments

# kpi::header::missing
period-missing = the policy does not say which period it appraises
period-missing-help = add a line such as `period quarter` (or `month`, `half-year`, `year`)
currency-missing = the policy works with money but does not say its currency
currency-missing-help = add a line such as `currency CNY`
this-policy = this policy

# kpi::grades::gap, kpi::grades::overlap, kpi::grades::unreachable. $band is a band as written.
grades-gap = scores where { $scores } have no grade
grades-gap-starts = `{ $grade }` starts here
grades-gap-ends = `{ $grade }` ends here
grades-gap-nowhere = no band takes these scores
grades-gap-extend = end `{ $grade }` where the band above starts: `{ $band }`
grades-gap-help = make each band start exactly where the next one ends, with `<` on one side and `<=` on the other: `A 85 <= score < 95` then `B 75 <= score < 85`
grades-overlap = grades `{ $a }` and `{ $b }` overlap where { $scores }
grades-overlap-takes = `{ $grade }` takes these scores
grades-overlap-also = and so does `{ $grade }`
grades-overlap-cut = end `{ $grade }` where `{ $other }` starts: `{ $band }`
grades-overlap-help = a score on a boundary must fall in exactly one grade: use `<` on one side and `<=` (or `>=`) on the other, as in `85 <= score < 95`
grades-otherwise-twice = two grades say `otherwise`
grades-otherwise-second = second `otherwise`
grades-otherwise-first = first `otherwise`
grades-otherwise-twice-help = only one grade can take the scores the others leave
grades-otherwise-unreachable = grade `{ $grade }` can never be given: the other grades take every score
grades-otherwise-nothing = nothing is left for `otherwise`
grades-otherwise-unreachable-help = remove this grade, or narrow the others

## A data file whose columns do not fit the policy

data-misfit = error: { $file } does not fit the policy:
data-misfit-hint = hint: a column matches an input by its name, its label or an alias (`kpi inputs { $policy }`)
data-misfit-version = error: { $file } does not fit { $policy }:
column-missing = no column for `{ $input }`
column-missing-label = {" "}("{ $label }")
column-missing-did-you-mean = ; did you mean the column `{ $column }`?
columns-unused = columns the policy does not use: { $columns }
column-twice = the column `{ $column }` appears twice
columns-both = the columns `{ $a }` and `{ $b }` both give `{ $input }`: keep the one that counts

# kpi::pay::grade_table (a `by grade` table). $grades and $entries are lists.
grade-table-twice = grade `{ $grade }` is given twice
grade-table-twice-help = give each grade one value
grade-table-missing = this table gives no value for grade { $grades }
grade-table-incomplete = incomplete
grade-table-missing-help = every grade needs a value, so that everyone is paid: add { $entries }
grade-table-fix = add { $entries } (valued as `{ $grade }` for now: set each)

# kpi::points::range
points-outside = { $points } points is outside 0 to 100
points-outside-label = points are 0–100
points-outside-help = an indicator gives between 0 and 100 points; its weight decides how much it counts
floor-above-cap = the floor is above the cap
floor-label = floor { $points }
cap-label = cap { $points }
floor-above-cap-help = the floor is the fewest points the indicator gives, the cap the most: the floor must not be higher

# kpi::steps::order
steps-after-otherwise = nothing can come after `otherwise`
steps-never-reached = never reached
steps-otherwise-takes = `otherwise` takes every value left
steps-after-otherwise-help = move `otherwise` to the end of the table
