"""Japanese names of the Rasa model's intents, for staff pages (analytics). An intent a city adds without a
name here is shown by its id."""

from __future__ import annotations

INTENT_LABELS: dict[str, str] = {
    "elderly_care": "高齢者・介護",
    "disability": "障害",
    "child_welfare": "子どもの養護・非行",
    "parenting": "子育て",
    "public_assistance": "生活保護",
    "living_hardship": "生活の困りごと",
    "domestic_violence": "DV（配偶者・交際相手からの暴力）",
    "hikikomori": "ひきこもり",
    "mental_health": "こころの健康",
    "general_welfare": "福祉の総合相談",
    "welfare_loan": "貸付・生活の支援（社協）",
    "guardianship": "成年後見",
    "consumer_trouble": "消費者トラブル",
    "legal_trouble": "法律の問題",
    "maternal_child_health": "妊娠・乳幼児の健康",
    "school": "学校・教育",
    "young_carer": "ヤングケアラー",
    "foreign_resident": "外国人住民の暮らし",
    "phone_counseling": "電話での相談",
    "anytime_hotline": "24時間の相談",
    "child_abuse": "子どもへの虐待",
    "dv_hotline": "DVの相談先",
    "dv_remote": "DVのチャット・メール相談",
    "child_sos": "子ども本人のSOS",
    "police_emergency": "警察への緊急通報",
    "ambulance": "救急",
    "medical_advice": "受診の迷い",
    "request_staff": "職員との相談の希望",
    "out_of_scope": "福祉以外の問い合わせ",
    "unclear": "内容が不明確",
    "greet": "あいさつ",
    "goodbye": "終わりのあいさつ",
    "thank": "お礼",
}


def intent_label(intent: str | None) -> str:
    if not intent:
        return "—"
    return INTENT_LABELS.get(intent, intent)
