"""Chinese names of extractors and checks, for messages and the generated rule reference."""

from __future__ import annotations

EXTRACTOR_LABELS: dict[str, str] = {
    "phone": "电话号码",
    "placeholder_phone": "占位电话号码（如 1380000xxxx）",
    "placeholder": "模板占位符（如 XX、××、____）",
    "time_limit": "报告或处置时限（如 30分钟内、1小时内、立即）",
    "trigger_condition": "量化的启动条件（如 死亡3人以上、降雨量100毫米）",
    "quantity": "带数量的物资或装备（如 冲锋舟2艘、帐篷50顶）",
    "date": "日期",
    "response_level": "响应级别",
    "role": "责任角色（如 总指挥、组长、应急响应责任人）",
    "person_name": "人员姓名",
    "vague_duty": "空泛的职责表述",
    "slogan": "口号式表述",
    "action_step": "以动词开头的处置步骤",
}

CHECK_LABELS: dict[str, str] = {
    "vague_duties": "空泛的职责表述（如“负责职责范围内的相关工作”）",
    "copied_duties": "不同单位之间逐字相同的职责",
    "restated_grades": "只按事件等级描述、没有启动条件的响应级别",
    "stale_plan": "发布时间过久、未见修订的预案",
    "issue_date": "预案的印发或发布日期",
    "outdated_refs": "已被替代的法规、标准或预案",
    "obsolete_orgs": "机构改革前的旧机构名称",
    "placeholders": "模板占位符或占位电话",
    "duplicate_phones": "多人共用同一电话号码",
    "invalid_phones": "位数或格式不对的电话号码",
    "boilerplate": "照搬国家预案原文的套话",
    "duty_entries": "写明具体任务的职责条目",
    "response_levels": "分别定义的响应级别",
    "level_triggers": "各响应级别自己的启动条件",
    "level_actions": "各响应级别自己的响应措施",
    "near": "写在同一行（句）中的说明和号码",
    "drill_frequency": "演练的频次",
    "drill_too_rare": "低于该类预案最低要求的演练频次",
    "card_gaps": "缺项或过长的处置卡",
    "duplicate_paragraphs": "逐字重复的段落",
    "plan_level": "预案的行政层级",
    "local_facts": "本地具体数据（人口、户数、设施数量等，不含响应阈值）",
}
