"""Writes the sample company's four quarters (Q1.csv ... Q4.csv).

64 people: 44 sales staff (业务员) and 20 non-sales staff (非业务员). The
numbers are drawn from a fixed seed, so running this again gives the same
files. Built so that the company's quotas (S <= 5%, A <= 15%, S + A <= 20%,
C + D >= 30%) are broken by the scores every quarter and forced ranking must
move people. S044 joins in Q3 (absent Q1 and Q2); N020 leaves after Q3; N003
has a serious breach in Q2; Q4 has one general manager's adjustment, with
its reason.
"""
import csv
import random

random.seed(2026)

HEADER = ["工号", "姓名", "岗位", "部门", "成交额", "成交目标", "结汇额", "结汇目标",
          "新客户数", "新客户目标", "差错率", "费用", "营业额", "核定费用率", "项目复评",
          "项目审定", "民主评议", "改进提案", "客户投诉", "严重违规", "绩效基数",
          "总经理调整", "调整原因"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红"

people = []
for i in range(1, 45):
    people.append(("S%03d" % i, "业务员", "外贸一部" if i <= 22 else "外贸二部"))
for i in range(1, 21):
    people.append(("N%03d" % i, "非业务员", "单证部"))

names = {}
for n, (pid, _, _) in enumerate(people):
    names[pid] = SURNAMES[n % len(SURNAMES)] + GIVEN[(n * 7) % len(GIVEN)] + GIVEN[(n * 3 + 1) % len(GIVEN)]

# Each person's level (how well they usually do) and base pay.
level = {pid: random.uniform(0.85, 1.35) for pid, _, _ in people}
base = {pid: random.choice([6000, 7000, 8000, 9000, 10000]) for pid, _, _ in people}

for q in range(1, 5):
    rows = []
    for pid, role, dept in people:
        if pid == "S044" and q < 3:
            continue  # joins in Q3
        if pid == "N020" and q == 4:
            continue  # leaves after Q3
        lv = level[pid] * random.uniform(0.9, 1.1)
        row = {h: "" for h in HEADER}
        row.update({"工号": pid, "姓名": names[pid], "岗位": role, "部门": dept,
                    "绩效基数": base[pid], "严重违规": "否",
                    "改进提案": random.choice([0, 0, 0, 1, 1, 2, 3]),
                    "客户投诉": random.choice([0, 0, 0, 0, 1, 2]),
                    "民主评议": random.randint(68, 96),
                    "差错率": "%.1f%%" % random.choice([0.3, 0.5, 0.8, 1.0, 1.2, 1.5, 2.0, 2.5, 3.5])})
        if role == "业务员":
            target = random.choice([800000, 1000000, 1200000, 1500000])
            deal = round(target * lv, -3)
            fx_target = round(target * 0.9, -3)
            fx = round(fx_target * lv * random.uniform(0.92, 1.08), -3)
            new_target = random.choice([4, 5, 6])
            revenue = deal
            ratio = 0.03
            expenses = round(revenue * ratio * random.uniform(0.85, 1.25), -2)
            row.update({"成交额": int(deal), "成交目标": target, "结汇额": int(fx),
                        "结汇目标": int(fx_target), "新客户数": max(0, round(new_target * lv + random.uniform(-1.5, 1.5))),
                        "新客户目标": new_target, "费用": int(expenses), "营业额": int(revenue),
                        "核定费用率": "3%"})
        else:
            review = min(100, max(50, round(60 + 25 * (lv - 0.85) / 0.5 + random.uniform(-5, 8))))
            row["项目复评"] = review
            # The approver decides about half of the projects.
            if random.random() < 0.5:
                row["项目审定"] = min(100, review + random.choice([-5, -3, 0, 2, 4]))
        if pid == "N003" and q == 2:
            row["严重违规"] = "是"
        if pid == "S030" and q == 4:
            row["总经理调整"] = "A"
            row["调整原因"] = "签下年度最大客户，业绩计入下季度"
        rows.append(row)
    with open("Q%d.csv" % q, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=HEADER, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
