"""One chat turn: mask personal information → crisis layer → Rasa → a structured reply.

Nothing here imports the web framework; ``routing/web.py`` is the HTTP edge.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from routing.conversations import ChatAnalytics, Conversation, ConversationStore, MaskedTurn
from routing.decision import Router, RoutingDecision
from routing.rasa_client import BotButton, BotMessage, RasaClient
from routing.windows import ConsultationWindow, WindowsDirectory

PII_NOTICE = "お名前・住所・電話番号などの個人情報は入力しないでください（入力された個人情報は伏せて扱いました）。"
CRISIS_TEXT = (
    "あなたの安全がいちばん大切です。危険が迫っているときは、すぐに 110番（警察）か 119番（救急）に"
    "電話してください。つらい気持ちは、下の窓口で聞いてもらえます。"
)


# The model leaned towards "not a welfare question" but not surely enough to send the resident away
# (routing/decision.py RankingPolicy.out_of_scope_confidence): say so, and offer both.
UNSURE_SCOPE_TEXT = (
    "福祉の相談かどうか、はっきり分かりませんでした。近そうな福祉の窓口を下に案内します。"
    "税金・ごみ・住民票などの手続きのご質問でしたら、{general}にお問い合わせください。"
)


def unsure_scope_text(directory: WindowsDirectory) -> str:
    general = directory.general_line
    if general is None or not general.phone:
        return UNSURE_SCOPE_TEXT.format(general="市役所の総合案内")
    return UNSURE_SCOPE_TEXT.format(general=f"{general.name}（{general.phone}）")


@dataclass(frozen=True)
class MaskedMessage:
    text: str
    found_personal_information: bool


# A masker turns a resident's raw message into text safe to log, store and forward.
Masker = Callable[[str], MaskedMessage]


@dataclass(frozen=True)
class WindowCard:
    id: str
    name: str
    handles: tuple[str, ...]
    phone: str
    tel: str
    hours: str
    url: str

    @classmethod
    def of(cls, window: ConsultationWindow) -> WindowCard:
        return cls(window.id, window.name, window.handles[:3], window.phone, window.tel_uri, window.hours, window.url)


@dataclass(frozen=True)
class ChatReply:
    texts: tuple[str, ...]
    buttons: tuple[BotButton, ...]
    windows: tuple[WindowCard, ...]
    crisis: bool
    crisis_lines: tuple[WindowCard, ...]
    notices: tuple[str, ...]


class ChatService:
    def __init__(
        self,
        router: Router,
        client: RasaClient,
        directory: WindowsDirectory,
        masker: Masker,
        store: ConversationStore,
        analytics: ChatAnalytics | None = None,
    ) -> None:
        self._router = router
        self._client = client
        self._directory = directory
        self._mask = masker
        self._store = store
        self._analytics = analytics

    def handle(self, session_id: str, raw_text: str) -> ChatReply:
        masked = self._mask(raw_text)
        # From here on only the masked text exists: it is what Rasa sees and what is stored.
        decision = self._router.decide(masked.text)
        bot_messages = self._client.message(session_id, masked.text)
        turn = MaskedTurn(masked.text, decision.intent, decision.windows, decision.crisis)
        conversation = self._store.add_turn(
            session_id, turn, clarifying=decision.needs_clarification, out_of_scope=decision.out_of_scope
        )
        if self._analytics is not None:
            self._analytics.record_turn(
                turn,
                new_conversation=len(conversation.turns) == 1,
                clarifying=decision.needs_clarification,
                out_of_scope=decision.out_of_scope,
            )
        texts, buttons = compose_texts(decision, bot_messages, self._directory)
        return ChatReply(
            texts=tuple(texts),
            buttons=buttons,
            windows=tuple(WindowCard.of(self._directory[w]) for w in decision.windows),
            crisis=decision.crisis,
            crisis_lines=tuple(WindowCard.of(self._directory[w]) for w in decision.crisis_lines),
            notices=(PII_NOTICE,) if masked.found_personal_information else (),
        )

    def feedback(self, session_id: str, helpful: bool) -> bool:
        """役に立った / 役に立たなかった, once per conversation; False when the session is unknown or has
        already answered."""
        if not self._store.record_feedback(session_id, helpful):
            return False
        if self._analytics is not None:
            conversation = self._store.get(session_id)
            self._analytics.record_feedback(helpful, None if helpful else last_question(conversation))
        return True


def compose_texts(
    decision: RoutingDecision, bot_messages: list[BotMessage], directory: WindowsDirectory
) -> tuple[list[str], tuple[BotButton, ...]]:
    """The reply's texts and quick replies: Rasa's dialogue turn, made consistent with the decision."""
    texts = [m.text for m in bot_messages if m.text]
    buttons = tuple(b for m in bot_messages for b in m.buttons)
    if decision.unsure_out_of_scope and decision.windows:
        # Rasa's dialogue answered its top intent (out of scope); the decision offers windows instead
        texts, buttons = [unsure_scope_text(directory)], ()
    if decision.crisis:
        texts.insert(0, CRISIS_TEXT)
    return texts, buttons


def last_question(conversation: Conversation | None) -> MaskedTurn | None:
    """The resident's last typed message (a quick-reply button sends its ``/intent`` payload instead)."""
    if conversation is None:
        return None
    typed = [turn for turn in conversation.turns if not turn.masked_text.startswith("/")]
    return typed[-1] if typed else None
