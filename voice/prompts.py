"""What the bot says. Polite and short; every line is read by a TTS voice on a phone line."""

from __future__ import annotations

from dataclasses import dataclass

DIGITS_JA = {"0": "ゼロ", "1": "イチ", "2": "ニー", "3": "サン", "4": "ヨン", "5": "ゴー", "6": "ロク",
             "7": "ナナ", "8": "ハチ", "9": "キュウ"}


def digits_ja(number: str) -> str:
    """Read a phone number back one digit at a time (ナナ/ヨン/キュウ for clarity)."""
    return "、".join(DIGITS_JA[d] for d in number if d in DIGITS_JA)


@dataclass(frozen=True)
class Prompts:
    city: str = "みらい市"

    def greeting(self, recording: bool) -> str:
        lines = [
            f"お電話ありがとうございます。{self.city} 税のAI自動応答です。",
            "AIがお答えするため、内容に誤りがある場合があります。",
        ]
        if recording:
            lines.append("サービス向上のため、通話を録音し、文字に起こしています。")
        lines.append("職員とお話しになりたいときは、いつでも0を押すか、「職員」とお話しください。")
        lines.append("ご質問をお話しください。")
        return "".join(lines)

    ask_question: str = "どうぞ、ご質問をお話しください。"
    anything_else: str = "ほかにご質問はありますか。"
    if_not_your_question: str = "ご質問と違う場合は「違う」とおっしゃってください。職員におつなぎします。"

    def answering_as(self, faq_question: str) -> str:
        return f"「{faq_question.rstrip('。？?')}」というご質問として、お答えします。"
    rephrase: str = ("申し訳ありません。お答えできる情報が見つかりませんでした。"
                     "恐れ入りますが、言い方を変えて、もう一度お話しください。")
    def referral(self, department: str) -> str:
        return (f"申し訳ありません。そのご質問は、{department}の担当です。{department}へお問い合わせください。"
                "税についてのご質問があれば、お話しください。")

    no_input: str = "お声が聞き取れませんでした。ご質問をお話しください。職員におつなぎする場合は0を押してください。"
    no_input_after_answer: str = "ほかにご質問がある場合はお話しください。"
    keys_help: str = "0を押すと職員に、9を押すともう一度お聞きになれます。"
    clarify_again: str = "恐れ入ります。「はい」か「いいえ」でお答えください。"
    transferring: str = "担当の職員におつなぎします。このままお待ちください。"
    goodbye: str = "お電話ありがとうございました。失礼いたします。"

    def closed(self, hours: str | None) -> str:
        if hours is None:  # no staff line configured at all
            return "申し訳ありません。ただいま職員におつなぎできません。" + self.callback_offer
        return (f"申し訳ありません。ただいま受付時間外のため、職員におつなぎできません。受付時間は、{hours}。"
                + self.callback_offer)

    staff_unavailable: str = "申し訳ありません。ただいま担当の職員が電話に出られません。"
    callback_offer: str = "折り返しのお電話をご希望の場合は1を、ご希望でない場合は2を押してください。"
    callback_enter: str = "折り返し先の電話番号を、市外局番から押して、最後にシャープを押してください。"
    callback_invalid: str = "電話番号を確認できませんでした。"

    def callback_readback(self, number: str) -> str:
        return f"お電話番号は、{digits_ja(number)}、ですね。よろしければ1を、入力し直す場合は2を押してください。"

    callback_done: str = ("承りました。受付時間内に、担当の職員から折り返しお電話いたします。"
                          "お電話ありがとうございました。")
    callback_declined: str = ("承知しました。恐れ入りますが、受付時間内にあらためてお電話ください。"
                              "お電話ありがとうございました。")
    give_up: str = "お手数ですが、時間をおいてあらためてお電話ください。お電話ありがとうございました。"

    def whisper(self, question: str | None, topic: str | None) -> str:
        """One sentence for the staff member before the caller is connected."""
        if question:
            short = question if len(question) <= 60 else question[:60] + "…"
            return f"AI自動応答からの転送です。お客様のご質問は、「{short}」です。"
        if topic:
            return f"AI自動応答からの転送です。「{topic}」についてのお問い合わせです。"
        return "AI自動応答からの転送です。お客様が職員との通話をご希望です。"

    hold: str = "ただいま担当の職員におつなぎしています。このまま、しばらくお待ちください。"
