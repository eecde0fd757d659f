"""The default assessment schemes: our own restatement of a reference catalogue for the two
subject groups (../shared/reference/assessment-scheme.md), built from the seed's items.

Every number here is configuration: a copy in the database is what an assessment uses, and
the committee changes it there (a scheme in use only by a new version). Criteria the product
cannot measure yet (述责述廉, 三重一大, cases …) are scored by people.
"""

from __future__ import annotations

G_SET, G_CARRY, G_SUPERVISE, G_ACCOUNT = "setting", "carrying", "supervising", "accountability"
AUTO, MANUAL, SPECIAL = "automatic", "manual", "special"

SPECIALS = [
    (G_ACCOUNT, "加分项", "3", "受到上级表彰、经验做法被推广等，凭文件加分，每项0.5至1分，"
     "累计不超过3分", SPECIAL, "", {}, "bonus"),
    (G_ACCOUNT, "扣分项", "10", "被上级通报批评、交办事项造成不良影响等，凭文件扣分，"
     "每项1至5分，累计不超过10分", SPECIAL, "", {}, "deduction"),
    (G_ACCOUNT, "一票否决", "0", "本人或单位负责人受党纪政务处分或被追究刑事责任；集体违反"
     "中央八项规定精神被上级查处；被上级党委、纪委通报批评；瞒报案件：直接定为较差",
     SPECIAL, "", {}, "veto"),
    (G_ACCOUNT, "不得评优", "0", "年度内被责任追究等情形：不得评为优秀", SPECIAL, "", {}, "bar"),
]

# (group, name, max, rule, kind, measure, params, special)
LEADERS = [
    (G_SET, "责任清单建立与分解", "7", "分管领域责任事项少于4项每少1项扣2分；"
     "每项缺少具体措施扣1分", MANUAL, "", {}, ""),
    (G_SET, "分管领域履责纪实", "8", "本人责任事项每期少1次扣0.5分，逾期补录每次扣0.2分；"
     "分管单位本项扣分的20%计入", AUTO, "duty_items", {"per_missing": "0.5", "per_late": "0.2"},
     ""),
    (G_CARRY, "听取审核季度汇报", "10", "分管单位季度汇报逾期未审核每次扣1分，"
     "超过审核时限审核每次扣0.5分", AUTO, "report_reviews",
     {"per_missing": "1", "per_late": "0.5"}, ""),
    (G_CARRY, "向书记年度汇报", "4", "截止日前未向书记汇报扣4分", AUTO, "annual_report",
     {"points": "4"}, ""),
    (G_CARRY, "分管领域问题销号", "14", "截至统计日未销号每项扣2分；超期限销号每项扣1分；"
     "延期每次扣0.5分", AUTO, "problems",
     {"per_open": "2", "per_late": "1", "per_extension": "0.5"}, ""),
    (G_CARRY, "监督检查", "4", "年内少于2次每少1次扣1分；发现交办问题少于2个每少1个扣1分",
     MANUAL, "", {}, ""),
    (G_CARRY, "谈心谈话", "4", "分管单位负责人每少谈1人扣1分", MANUAL, "", {}, ""),
    (G_CARRY, "相互监督提醒", "2", "全年未开展扣2分", MANUAL, "", {}, ""),
    (G_CARRY, "民主生活会", "2", "对照检查、批评与自我批评、整改落实每缺1项扣1分",
     MANUAL, "", {}, ""),
    (G_CARRY, "述责述廉", "4", "未述扣2分；测评基本称职扣1分，不称职扣2分", MANUAL, "", {}, ""),
    (G_CARRY, "个人有关事项报告", "2", "每次不按规定报告扣1分", MANUAL, "", {}, ""),
    (G_CARRY, "三重一大集体决策", "4", "议题被退回每项扣1分；执行偏差或拖延每项扣1分",
     MANUAL, "", {}, ""),
    (G_SUPERVISE, "督办处置", "4", "分管单位逾期事项5个工作日内未督办每次扣1分",
     MANUAL, "", {}, ""),
    (G_SUPERVISE, "履责约谈", "4", "应约谈而年底前未约谈每人次扣1分", MANUAL, "", {}, ""),
    (G_SUPERVISE, "通报整改督促", "3", "通报涉及分管单位问题逾期未反馈每项扣1分",
     MANUAL, "", {}, ""),
    (G_SUPERVISE, "交办事项", "2", "机关纪委、派驻纪检组交办事项逾期未办结每项扣1分",
     MANUAL, "", {}, ""),
    (G_SUPERVISE, "审核意见", "2", "签批季度汇报无具体意见每次扣0.5分", MANUAL, "", {}, ""),
    (G_ACCOUNT, "违纪违法", "16", "本人受处理按第一种形态2分、诫勉4分、轻处分8分、重处分16分扣分；"
     "分管单位负责人减半；主动报告的从轻", MANUAL, "", {}, ""),
    (G_ACCOUNT, "整改不实", "4", "问题两次验收不通过或销号后反弹每项扣2分", MANUAL, "", {}, ""),
    *SPECIALS,
]

UNITS = [
    (G_SET, "责任清单建立", "8", "单位责任事项少于4项每少1项扣2分；每项缺少措施扣1分",
     MANUAL, "", {}, ""),
    (G_SET, "履责纪实：学习教育与专题会议", "8", "责任事项每期少1次扣0.5分；逾期补录每次扣0.2分",
     AUTO, "duty_items", {"per_missing": "0.5", "per_late": "0.2"}, ""),
    (G_CARRY, "季度履责汇报", "12", "未报每季扣3分；逾期每次扣1分；同季第二次起每次退回扣0.5分",
     AUTO, "quarterly_reports",
     {"per_missing": "3", "per_late": "1", "per_return": "0.5", "free_returns": 1}, ""),
    (G_CARRY, "问题整改销号", "16", "截至统计日未销号每项扣2分；超期限销号每项扣1分；"
     "延期每次扣0.5分", AUTO, "problems",
     {"per_open": "2", "per_late": "1", "per_extension": "0.5"}, ""),
    (G_CARRY, "自查自纠", "4", "少于2次每少1次扣1分；自查问题少于2个每少1个扣1分",
     MANUAL, "", {}, ""),
    (G_CARRY, "三会一课与组织生活会", "4", "每少1次扣0.5分", MANUAL, "", {}, ""),
    (G_CARRY, "警示教育", "3", "每少1次扣0.5分", MANUAL, "", {}, ""),
    (G_CARRY, "谈话提醒", "4", "全年无提醒谈话扣2分；人员被上级处理而事前未提醒扣2分",
     MANUAL, "", {}, ""),
    (G_CARRY, "负责人述责述廉", "4", "未述扣2分；测评基本合格扣1分，不合格扣2分",
     MANUAL, "", {}, ""),
    (G_CARRY, "个人有关事项报告", "2", "负责人每次不按规定报告扣1分", MANUAL, "", {}, ""),
    (G_CARRY, "廉政风险防控", "3", "3月31日前未更新风险点扣1分；违反议事、招投标、内控规定"
     "每次扣1分", MANUAL, "", {}, ""),
    (G_SUPERVISE, "通报整改", "4", "通报问题逾期未反馈或未整改每项扣1分", MANUAL, "", {}, ""),
    (G_SUPERVISE, "交办事项", "2", "交办事项逾期未办结每项扣1分", MANUAL, "", {}, ""),
    (G_SUPERVISE, "约谈整改", "2", "被列入约谈（连续两季度逾期或连续两期未达目标）每次扣1分",
     AUTO, "talk_flags", {"per_flag": "1"}, ""),
    (G_SUPERVISE, "督办事项", "4", "督办后10个工作日仍未办结每项扣2分", MANUAL, "", {}, ""),
    (G_ACCOUNT, "违纪违法", "16", "负责人受处理按第一种形态2分、诫勉4分、轻处分8分、重处分16分"
     "扣分；其他班子成员减半；其他人员按25%", MANUAL, "", {}, ""),
    (G_ACCOUNT, "四风与整改不实", "4", "四风问题被通报每项扣1分；整改不实每项扣2分",
     MANUAL, "", {}, ""),
    *SPECIALS,
]

# the leaders' criteria sharing the overseen units' deductions of the same measure
SHARED = {"duty_items"}

DEFAULTS = {"leaders": LEADERS, "units": UNITS}
TITLES = {"leaders": "%(year)s年度班子成员落实全面从严治党主体责任考核细则",
          "units": "%(year)s年度局属单位落实全面从严治党主体责任考核细则"}
