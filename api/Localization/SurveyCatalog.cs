namespace Pulse.Api.Localization;

/// <summary>The follow-up question asked after a score, one per NPS category.</summary>
public sealed record FollowUpTexts(string Promoter, string Passive, string Detractor);

/// <summary>Every string the widget shows, in one locale. <c>{product}</c> stands for the workspace's product name.</summary>
public sealed record SurveyTexts(
    string Question,
    string Low,
    string High,
    FollowUpTexts FollowUp,
    string Placeholder,
    string Submit,
    string Dismiss,
    string Thanks);

/// <summary>One locale of the catalog: its code (as sent to clients), writing direction and strings.</summary>
public sealed record CatalogLocale(string Code, string Dir, SurveyTexts Texts);

/// <summary>
/// The server-side catalog of NPS wording. The widget carries no translations: eligibility sends
/// the strings in the negotiated locale. The wording follows the standard NPS question
/// ("How likely are you to recommend … to a friend or colleague?") with its 0/10 anchors, in the
/// register each language uses for software (formal where that is the norm). Languages that
/// inflect nouns keep <c>{product}</c> in a position that needs no case ending, or name it
/// through a neutral noun (Finnish "palvelua {product}", Turkish "{product} ürününü").
/// </summary>
public static class SurveyCatalog
{
    public const string DefaultLocale = "en";

    static CatalogLocale L(string code, string question, string low, string high, string promoter, string passive, string detractor,
        string placeholder, string submit, string dismiss, string thanks, string dir = "ltr") =>
        new(code, dir, new SurveyTexts(question, low, high, new FollowUpTexts(promoter, passive, detractor), placeholder, submit, dismiss, thanks));

    static readonly CatalogLocale[] Entries =
    [
        L("en", "How likely are you to recommend {product} to a friend or colleague?", "Not at all likely", "Extremely likely",
            "What do you like most about {product}?",
            "What could we do to make {product} better for you?",
            "What disappointed you, and what could we do better?",
            "Tell us more (optional)", "Submit", "Close", "Thank you for your feedback!"),
        L("de", "Wie wahrscheinlich ist es, dass Sie {product} einem Freund oder Kollegen weiterempfehlen würden?",
            "Überhaupt nicht wahrscheinlich", "Äußerst wahrscheinlich",
            "Was gefällt Ihnen an {product} am besten?",
            "Was könnten wir tun, damit {product} für Sie besser wird?",
            "Was hat Sie enttäuscht, und was könnten wir besser machen?",
            "Erzählen Sie uns mehr (optional)", "Senden", "Schließen", "Vielen Dank für Ihr Feedback!"),
        L("fr", "Quelle est la probabilité que vous recommandiez {product} à un ami ou à un collègue\u00a0?",
            "Pas du tout probable", "Extrêmement probable",
            "Qu’appréciez-vous le plus dans {product}\u00a0?",
            "Que pourrions-nous faire pour améliorer {product} pour vous\u00a0?",
            "Qu’est-ce qui ne vous a pas plu, et que pourrions-nous améliorer\u00a0?",
            "Dites-nous-en plus (facultatif)", "Envoyer", "Fermer", "Merci pour votre retour\u00a0!"),
        L("es", "¿Qué probabilidad hay de que recomiende {product} a un amigo o colega?",
            "Nada probable", "Extremadamente probable",
            "¿Qué es lo que más le gusta de {product}?",
            "¿Qué podríamos hacer para que {product} le resulte mejor?",
            "¿Qué le ha decepcionado y qué podríamos mejorar?",
            "Cuéntenos más (opcional)", "Enviar", "Cerrar", "¡Gracias por sus comentarios!"),
        L("pt-BR", "Qual é a probabilidade de você recomendar {product} a um amigo ou colega?",
            "Nada provável", "Extremamente provável",
            "Do que você mais gosta em {product}?",
            "O que poderíamos fazer para melhorar {product} para você?",
            "O que não atendeu às suas expectativas e o que poderíamos melhorar?",
            "Conte-nos mais (opcional)", "Enviar", "Fechar", "Obrigado pelo seu feedback!"),
        L("it", "Quanto è probabile che consigli {product} a un amico o a un collega?",
            "Per niente probabile", "Estremamente probabile",
            "Che cosa apprezza di più di {product}?",
            "Che cosa potremmo fare per migliorare {product} per Lei?",
            "Che cosa non ha funzionato per Lei e che cosa potremmo migliorare?",
            "Ci dica di più (facoltativo)", "Invia", "Chiudi", "Grazie per il Suo feedback!"),
        L("nl", "Hoe waarschijnlijk is het dat u {product} zou aanbevelen aan een vriend of collega?",
            "Helemaal niet waarschijnlijk", "Zeer waarschijnlijk",
            "Wat vindt u het beste aan {product}?",
            "Wat kunnen we doen om {product} voor u te verbeteren?",
            "Wat viel u tegen, en wat kunnen we beter doen?",
            "Vertel ons meer (optioneel)", "Versturen", "Sluiten", "Bedankt voor uw feedback!"),
        L("sv", "Hur sannolikt är det att du skulle rekommendera {product} till en vän eller kollega?",
            "Inte alls sannolikt", "Mycket sannolikt",
            "Vad uppskattar du mest med {product}?",
            "Vad kan vi göra för att {product} ska bli bättre för dig?",
            "Vad gjorde dig besviken, och vad kan vi göra bättre?",
            "Berätta mer (valfritt)", "Skicka", "Stäng", "Tack för din feedback!"),
        L("da", "Hvor sandsynligt er det, at du vil anbefale {product} til en ven eller kollega?",
            "Slet ikke sandsynligt", "Meget sandsynligt",
            "Hvad kan du bedst lide ved {product}?",
            "Hvad kan vi gøre for at gøre {product} bedre for dig?",
            "Hvad skuffede dig, og hvad kan vi gøre bedre?",
            "Fortæl os mere (valgfrit)", "Send", "Luk", "Tak for din feedback!"),
        L("nb", "Hvor sannsynlig er det at du vil anbefale {product} til en venn eller kollega?",
            "Ikke sannsynlig i det hele tatt", "Svært sannsynlig",
            "Hva liker du best med {product}?",
            "Hva kan vi gjøre for å gjøre {product} bedre for deg?",
            "Hva skuffet deg, og hva kan vi gjøre bedre?",
            "Fortell oss mer (valgfritt)", "Send", "Lukk", "Takk for tilbakemeldingen!"),
        L("fi", "Kuinka todennäköisesti suosittelisit palvelua {product} ystävällesi tai kollegallesi?",
            "En lainkaan todennäköisesti", "Erittäin todennäköisesti",
            "Mistä pidät eniten palvelussa {product}?",
            "Miten voisimme parantaa palvelua {product} sinulle?",
            "Mikä tuotti sinulle pettymyksen, ja mitä voisimme tehdä paremmin?",
            "Kerro lisää (valinnainen)", "Lähetä", "Sulje", "Kiitos palautteestasi!"),
        L("pl", "Jak prawdopodobne jest, że polecisz {product} znajomemu lub współpracownikowi?",
            "Zupełnie nieprawdopodobne", "Bardzo prawdopodobne",
            "Co najbardziej cenisz w {product}?",
            "Co moglibyśmy poprawić, aby lepiej spełniać Twoje oczekiwania?",
            "Co Cię rozczarowało i co moglibyśmy poprawić?",
            "Napisz nam więcej (opcjonalnie)", "Wyślij", "Zamknij", "Dziękujemy za opinię!"),
        L("cs", "Jak pravděpodobné je, že byste {product} doporučili příteli nebo kolegovi?",
            "Zcela nepravděpodobné", "Velmi pravděpodobné",
            "Co se vám na {product} líbí nejvíc?",
            "Co bychom mohli zlepšit, abychom lépe vyhověli vašim potřebám?",
            "Co vás zklamalo a co bychom mohli zlepšit?",
            "Napište nám více (nepovinné)", "Odeslat", "Zavřít", "Děkujeme za vaši zpětnou vazbu!"),
        L("tr", "{product} ürününü bir arkadaşınıza veya iş arkadaşınıza tavsiye etme olasılığınız nedir?",
            "Hiç olası değil", "Son derece olası",
            "{product} ürününde en çok neyi beğeniyorsunuz?",
            "{product} ürününü sizin için daha iyi hale getirmek için ne yapabiliriz?",
            "Sizi hayal kırıklığına uğratan neydi ve neyi daha iyi yapabiliriz?",
            "Bize daha fazlasını anlatın (isteğe bağlı)", "Gönder", "Kapat", "Geri bildiriminiz için teşekkür ederiz!"),
        L("ru", "Насколько вероятно, что вы порекомендуете {product} другу или коллеге?",
            "Точно не порекомендую", "Обязательно порекомендую",
            "Что вам больше всего нравится в {product}?",
            "Что мы могли бы улучшить, чтобы вам стало удобнее?",
            "Что вас разочаровало и что мы могли бы сделать лучше?",
            "Расскажите подробнее (необязательно)", "Отправить", "Закрыть", "Спасибо за ваш отзыв!"),
        L("uk", "Наскільки ймовірно, що ви порекомендуєте {product} другові чи колезі?",
            "Точно не порекомендую", "Обов’язково порекомендую",
            "Що вам найбільше подобається в {product}?",
            "Що ми могли б покращити, щоб вам було зручніше?",
            "Що вас розчарувало і що ми могли б зробити краще?",
            "Розкажіть докладніше (необов’язково)", "Надіслати", "Закрити", "Дякуємо за ваш відгук!"),
        L("zh-CN", "您向朋友或同事推荐{product}的可能性有多大？",
            "完全不可能", "极有可能",
            "您最喜欢{product}的哪些方面？",
            "我们可以做些什么，让{product}更好地满足您的需求？",
            "哪些方面让您感到失望？我们可以如何改进？",
            "请告诉我们更多（选填）", "提交", "关闭", "感谢您的反馈！"),
        L("zh-TW", "您向朋友或同事推薦{product}的可能性有多高？",
            "完全不可能", "極有可能",
            "您最喜歡{product}的哪些地方？",
            "我們可以怎麼做，讓{product}更符合您的需求？",
            "哪些地方讓您感到失望？我們可以如何改進？",
            "請告訴我們更多（選填）", "送出", "關閉", "感謝您的意見回饋！"),
        L("ja", "{product}を友人や同僚に薦める可能性はどのくらいありますか？",
            "まったく可能性がない", "非常に可能性が高い",
            "{product}で最も気に入っている点は何ですか？",
            "{product}をより良くするために、私たちにできることは何ですか？",
            "ご不満に感じた点と、改善すべき点を教えてください。",
            "詳しくお聞かせください（任意）", "送信", "閉じる", "フィードバックをありがとうございました！"),
        L("ko", "{product}을(를) 친구나 동료에게 추천할 가능성은 얼마나 됩니까?",
            "전혀 추천하지 않음", "적극 추천함",
            "{product}에서 가장 마음에 드는 점은 무엇입니까?",
            "{product}을(를) 더 좋게 만들기 위해 저희가 무엇을 할 수 있을까요?",
            "어떤 점이 실망스러우셨나요? 무엇을 개선하면 좋을까요?",
            "자세한 의견을 들려주세요(선택 사항)", "제출", "닫기", "소중한 의견 감사합니다!"),
        L("id", "Seberapa besar kemungkinan Anda merekomendasikan {product} kepada teman atau kolega?",
            "Sangat tidak mungkin", "Sangat mungkin",
            "Apa yang paling Anda sukai dari {product}?",
            "Apa yang dapat kami lakukan agar {product} lebih baik untuk Anda?",
            "Apa yang mengecewakan Anda, dan apa yang dapat kami perbaiki?",
            "Ceritakan lebih lanjut (opsional)", "Kirim", "Tutup", "Terima kasih atas masukan Anda!"),
        L("ar", "ما مدى احتمال أن توصي بـ{product} لصديق أو زميل؟",
            "غير محتمل على الإطلاق", "محتمل للغاية",
            "ما أكثر ما يعجبك في {product}؟",
            "ما الذي يمكننا فعله لتحسين {product} بالنسبة لك؟",
            "ما الذي خيّب أملك، وما الذي يمكننا تحسينه؟",
            "أخبرنا بالمزيد (اختياري)", "إرسال", "إغلاق", "شكرًا لك على ملاحظاتك!", dir: "rtl"),
        L("he", "עד כמה סביר שתמליצו על {product} לחבר או לעמית?",
            "בכלל לא סביר", "סביר מאוד",
            "מה הכי מוצא חן בעיניכם ב-{product}?",
            "מה נוכל לעשות כדי לשפר עבורכם את {product}?",
            "מה אכזב אתכם, ומה נוכל לעשות טוב יותר?",
            "ספרו לנו עוד (לא חובה)", "שליחה", "סגירה", "תודה על המשוב!", dir: "rtl"),
    ];

    static readonly Dictionary<string, CatalogLocale> ByCode =
        Entries.ToDictionary(e => e.Code, StringComparer.OrdinalIgnoreCase);

    /// <summary>Every locale code of the catalog, as clients receive it (<c>en</c>, <c>pt-BR</c>, <c>zh-TW</c>…).</summary>
    public static IReadOnlyList<string> Codes { get; } = Entries.Select(e => e.Code).ToArray();

    /// <summary>The catalog entry for a code, matched without regard to case; null when the catalog lacks it.</summary>
    public static CatalogLocale? Find(string code) => ByCode.GetValueOrDefault(code);

    public static CatalogLocale Get(string code) => Find(code) ?? ByCode[DefaultLocale];
}
