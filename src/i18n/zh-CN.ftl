# kpi 对人说的话，简体中文。每条消息在 en.ftl 里都有对应的英文，变量相同
# （tests/i18n.rs 检查两边一致）。中文句子用全角标点，数字与单位之间不加空格。

## 一次运行的最后一行

run-summary = 读入 { $read }，其中计算完成 { $evaluated } 个，失败 { $failed } 个{ $empty }
rows-count = { $n } 行
employees-count = { $n } 名员工
empty-lines = ；另有 { $n } 行没有任何值，已跳过（第 { $lines } 行）
# 列举时的分隔符。
list-separator = 、

## 有分布比例时，运行之后的警告

quota-broken = 警告：分布比例 `{ $quota }`{ $place }未能满足：{ $people } 人中有 { $actual } 人，{ $bound ->
    [most] 至多应为
   *[least] 至少应为
} { $limit } 人
quota-place = （{ $group }）
unranked = 警告：{ $group }（{ $people } 人，含一票否决定下等级的人）的强制排序无法同时满足每条分布比例：等级保持按得分评定的结果
unranked-company = 全公司
unranked-group = `{ $group }` 组

## kpi check

check-summary = 已检查 { $files }：{ $errors }，{ $warnings }
files-count = { $n } 个文件
errors-count = { $n } 个错误
warnings-count = { $n } 个警告
check-unreadable = 注意：{ $files }无法读懂，名称、单位、权重和等级都还没有检查：请先改正语法错误

## kpi test

test-summary = 通过 { $passed } 个，失败 { $failed } 个

## 诊断，按代码排列。每条消息之后是它的标注和帮助。

# kpi::weights::range
weights-range = 指标 `{ $name }` 的权重必须大于 0%，且不超过 100%
weights-range-label = 超出范围
weights-range-help = 给每个指标一个占综合得分的比例，例如 `weight 30%`；不该计分的指标请直接删去

# kpi::weights::sum
weights-sum = 各指标权重合计为 { $sum }，应为 100%
weights-sum-help = { $verb ->
    [add] 权重合计必须恰好为 100%：请在各指标间再分配 { $diff }{ $unmarked }
   *[remove] 权重合计必须恰好为 100%：请从各指标的权重中共减去 { $diff }{ $unmarked }
}
weights-sum-unmarked = （图中只标出了前 { $marked } 个指标，共 { $count } 个，其余 { $more } 个未标出）
weights-sum-fix = 把 `{ $name }` 的权重改为 { $weight }（目前权重合计为 { $sum }）

# kpi::name::unknown（以及所有“是不是想写”）
name-unknown = 没有定义 `{ $name }`
name-unknown-label = 未知的名称
name-unknown-grade = `{ $name }` 是绩效等级：要与等级比较，请写成 `grade = { $name }`
name-unknown-is-label = “{ $name }”是 `{ $named }` 的标签：公式里要写名称 `{ $named }`
name-unknown-declare = 请先声明它，例如 `input { $name } money "标签"`，或者检查拼写
did-you-mean = 是不是想写 `{ $name }`？
change-to = 改为 `{ $name }`

# kpi::name::duplicate
name-duplicate = `{ $name }` 定义了两次
name-duplicate-again = 这里又定义了一次
name-duplicate-first = 第一次在这里定义，是{ $kind }
name-duplicate-help = 方案中的每个名称都必须不同：请把其中一个改名（引号里的标签可以重复）
kind-input = 输入项
kind-value = 中间值（let）
kind-indicator = 指标
kind-adjustment = 加分项或扣分项
kind-pay = 薪酬项目
kind-score = 综合得分
kind-grade = 绩效等级
kind-example = 算例

# kpi::unused_input
unused-input = 输入项 `{ $name }` 没有被用到
unused-input-label = 在这里声明，但没有任何地方用到
unused-input-help = 请在公式中用到它，或删掉这一行；数据文件里可以保留这一列
unused-input-fix = 删除输入项 `{ $name }`

# kpi::header::duplicate
header-duplicate = { $what }写了两次
header-duplicate-again = 这里又写了一次
header-duplicate-first = 第一次写在这里
header-duplicate-help = 两行只保留一行
header-period = 考核周期
header-currency = 币种
header-money-rounding = 金额的舍入方式
header-score-rounding = 得分的舍入方式
header-id-column = 工号列
header-name-column = 姓名列
header-plan-column = 岗位列
header-score-range = 得分范围
header-bonus-cap = 加分上限
header-deduction-cap = 扣分上限
header-adjustment-cap = 加减分合计上限

# kpi::header::missing
period-missing = 方案没有写考核周期
period-missing-help = 加一行，例如 `period quarter`（或 `month`、`half-year`、`year`）
currency-missing = 方案里有金额，但没有写币种
currency-missing-help = 加一行，例如 `currency CNY`
this-policy = 这个方案

# kpi::grades::gap、kpi::grades::overlap、kpi::grades::unreachable
grades-gap = 得分在 { $scores } 时没有对应的绩效等级
grades-gap-starts = `{ $grade }` 从这里开始
grades-gap-ends = `{ $grade }` 到这里结束
grades-gap-nowhere = 没有哪个等级包含这些得分
grades-gap-extend = 让 `{ $grade }` 一直延伸到上一档的起点：`{ $band }`
grades-gap-help = 每一档都要正好从下一档结束的地方开始，一边用 `<`，另一边用 `<=`：先写 `A 85 <= score < 95`，再写 `B 75 <= score < 85`
grades-overlap = 等级 `{ $a }` 和 `{ $b }` 在 { $scores } 处重叠
grades-overlap-takes = `{ $grade }` 包含这些得分
grades-overlap-also = `{ $grade }` 也包含
grades-overlap-cut = 让 `{ $grade }` 在 `{ $other }` 开始的地方结束：`{ $band }`
grades-overlap-help = 分界线上的得分只能落在一个等级里：一边用 `<`，另一边用 `<=`（或 `>=`），例如 `85 <= score < 95`
grades-otherwise-twice = 有两个等级都写了 `otherwise`
grades-otherwise-second = 第二个 `otherwise`
grades-otherwise-first = 第一个 `otherwise`
grades-otherwise-twice-help = 只能有一个等级接收其余等级剩下的得分
grades-otherwise-unreachable = 等级 `{ $grade }` 永远不会被评到：其他等级已经包含了所有得分
grades-otherwise-nothing = 没有剩下任何得分留给 `otherwise`
grades-otherwise-unreachable-help = 删掉这个等级，或缩小其他等级的范围

## 数据文件的列与方案对不上

data-misfit = 错误：{ $file } 的列与方案对不上：
data-misfit-hint = 提示：数据列按名称、标签或别名与输入项对应（`kpi inputs { $policy }` 可列出）
data-misfit-version = 错误：{ $file } 的列与 { $policy } 对不上：
column-missing = 没有 `{ $input }` 这一列
column-missing-label = （“{ $label }”）
column-missing-did-you-mean = ；是不是 `{ $column }` 这一列？
columns-unused = 方案用不到的列：{ $columns }
column-twice = `{ $column }` 这一列出现了两次
columns-both = `{ $a }` 和 `{ $b }` 两列都对应 `{ $input }`：请只保留算数的那一列

# kpi::pay::grade_table（`by grade` 表）
grade-table-twice = 等级 `{ $grade }` 写了两次
grade-table-twice-help = 每个等级只给一个值
grade-table-missing = 这张表没有给等级 { $grades } 赋值
grade-table-incomplete = 不完整
grade-table-missing-help = 每个等级都要有值，每个人才都能算出工资：请补上 { $entries }
grade-table-fix = 补上 { $entries }（暂按 `{ $grade }` 的值，请逐个改好）

# kpi::points::range
points-outside = { $points } 分超出了 0 到 100 分
points-outside-label = 得分在 0 到 100 之间
points-outside-help = 一个指标给 0 到 100 分；它占多少比重由权重决定
floor-above-cap = 保底分高于封顶分
floor-label = 保底 { $points } 分
cap-label = 封顶 { $points } 分
floor-above-cap-help = 保底分是这个指标最少给的分，封顶分是最多给的分：保底分不能更高

# kpi::steps::order
steps-after-otherwise = `otherwise` 之后不能再写别的档次
steps-never-reached = 永远轮不到
steps-otherwise-takes = `otherwise` 已经接收了其余所有的值
steps-after-otherwise-help = 把 `otherwise` 移到表的最后
