# kpi 对人说的话，简体中文。每条消息在 en.ftl 里都有对应的英文，变量相同
# （tests/i18n.rs 检查两边一致）。中文句子用全角标点，数字与单位之间不加空格。

## 一次运行的最后一行

run-summary = 读入 { $read }，其中计算完成 { $evaluated } 个，失败 { $failed } 个{ $empty }
rows-count = { $n } 行
employees-count = { $n } 名员工
empty-lines = ；另有 { $n } 行没有任何值，已跳过（第 { $lines } 行）
# 列举时的分隔符。
list-separator = 、

## kpi check

check-summary = 已检查 { $files }：{ $errors }，{ $warnings }
files-count = { $n } 个文件
errors-count = { $n } 个错误
warnings-count = { $n } 个警告
check-unreadable = 注意：{ $files }无法读懂，名称、单位、权重和等级都还没有检查：请先改正语法错误

## kpi test

test-summary = 通过 { $passed } 个，失败 { $failed } 个
