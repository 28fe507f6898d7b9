using Pulse.Api.Eligibility;
using Pulse.Api.Localization;
using Pulse.Api.Surveys;
using Pulse.Tests.Support;

namespace Pulse.Tests.Eligibility;

public sealed class LocalizationTests
{
    static readonly string[] Required =
    [
        "en", "de", "ja", "fr", "es", "pt-BR", "pt-PT", "it", "nl", "sv", "da", "nb", "fi", "pl", "cs", "tr", "ru", "zh-CN", "zh-TW", "zh-HK",
        "ko", "ar", "he", "hi", "vi", "th", "id", "ms", "uk", "ro", "hu", "el", "bg", "fa", "ur",
    ];

    static IEnumerable<string> AllStrings(SurveyTexts t) =>
        [t.Question, t.Low, t.High, t.FollowUp.Promoter!, t.FollowUp.Passive!, t.FollowUp.Detractor!, t.Placeholder, t.Submit, t.Dismiss, t.Thanks, t.OptOut];

    static SurveyTexts Texts(string code) => SurveyCatalog.Get(code).Texts();

    static string Placeholders(string text) =>
        string.Join(",", System.Text.RegularExpressions.Regex.Matches(text, @"\{[^{}]*\}").Select(m => m.Value).Order(StringComparer.Ordinal));

    [Test]
    public void Catalog_HasEveryRequiredLocale_AndAtLeast40()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(SurveyCatalog.Codes, Is.SupersetOf(Required));
            Assert.That(SurveyCatalog.Codes, Has.Count.GreaterThanOrEqualTo(40));
            Assert.That(SurveyCatalog.Codes, Is.Unique);
        }
    }

    [Test]
    public void Catalog_IsOneEmbeddedFilePerLocale()
    {
        var files = Directory.GetFiles(Repository.Path("api/Localization/Locales"), "*.json").Select(f => Path.GetFileNameWithoutExtension(f)!);
        Assert.That(SurveyCatalog.Codes, Is.EquivalentTo(files));
    }

    [Test]
    public void Catalog_EveryLocale_HasExactlyTheEnglishKeys()
    {
        var english = SurveyCatalog.Keys;
        Assert.That(english, Is.SupersetOf(CatalogKeys.Fields.Select(f => CatalogKeys.KeyOf("nps", f))), "English has every key the widget reads");
        using (Assert.EnterMultipleScope())
            foreach (var code in SurveyCatalog.Codes)
            {
                var keys = SurveyCatalog.Get(code).Strings.Keys.ToList();
                Assert.That(english.Except(keys), Is.Empty, $"{code}.json lacks these keys");
                Assert.That(keys.Except(english), Is.Empty, $"{code}.json has keys English does not");
            }
    }

    [Test]
    public void Catalog_EveryString_HasTheSamePlaceholdersAsEnglish_AndIsNotBlank()
    {
        var english = SurveyCatalog.Get("en").Strings;
        Assert.That(english["nps.question"], Does.Contain("{product}"));
        using (Assert.EnterMultipleScope())
            foreach (var code in SurveyCatalog.Codes)
                foreach (var (key, text) in SurveyCatalog.Get(code).Strings)
                {
                    Assert.That(text.Trim(), Has.Length.InRange(1, 200), $"{code} {key}");
                    Assert.That(text, Is.EqualTo(text.Trim()), $"{code} {key}: no leading or trailing spaces");
                    Assert.That(Placeholders(text), Is.EqualTo(Placeholders(english.GetValueOrDefault(key, ""))), $"{code} {key}: placeholders");
                }
    }

    [Test]
    public void Catalog_TranslationsAreNotEnglishLeftovers()
    {
        var english = Texts("en");
        using (Assert.EnterMultipleScope())
            foreach (var code in SurveyCatalog.Codes.Where(c => c != "en"))
            {
                var texts = Texts(code);
                Assert.That(texts.Question, Is.Not.EqualTo(english.Question), code);
                Assert.That(texts.Low, Is.Not.EqualTo(english.Low), code);
                Assert.That(texts.Thanks, Is.Not.EqualTo(english.Thanks), code);
                Assert.That(texts.OptOut, Is.Not.EqualTo(english.OptOut), code);
                Assert.That(SurveyCatalog.Get(code).Name, Is.Not.Empty, code);
            }
    }

    [Test]
    public void Catalog_RightToLeft_IsExactlyArabicHebrewPersianAndUrdu() =>
        Assert.That(SurveyCatalog.Codes.Where(c => SurveyCatalog.Get(c).Dir == "rtl"), Is.EquivalentTo(new[] { "ar", "he", "fa", "ur" }));

    [TestCase("pl", "aplikac")]
    [TestCase("cs", "aplikac")]
    [TestCase("sk", "aplikáci")]
    [TestCase("hr", "aplikacij")]
    [TestCase("sl", "aplikacij")]
    [TestCase("lt", "programėl")]
    [TestCase("lv", "lietotn")]
    public void Catalog_CaseLanguages_PutTheProductAfterANounThatTakesTheEnding(string code, string noun)
    {
        using (Assert.EnterMultipleScope())
            foreach (var text in SurveyCatalog.Get(code).Strings.Values.Where(t => t.Contains("{product}", StringComparison.Ordinal)))
                Assert.That(text, Does.Match(noun + @"\w* \{product\}"), $"{code}: the product follows '{noun}…' (no case ending on the name)");
    }

    [Test]
    public void Catalog_NativeReviewFixes()
    {
        var finnish = Texts("fi");
        var spanish = SurveyCatalog.Get("es").Strings.Values;
        var korean = SurveyCatalog.Get("ko").Strings.Values;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(finnish.Low, Is.EqualTo("Erittäin epätodennäköisesti"), "fi: the 0-label is an adverb like the 10-label");
            Assert.That(finnish.High, Is.EqualTo("Erittäin todennäköisesti"));
            Assert.That(finnish.FollowUp.Detractor, Does.Not.Contain(", ja"), "fi: no comma before 'ja'");
            Assert.That(spanish, Has.None.Match(@"\b(ha|han|he|hemos)\s+\w+(ado|ido)\b"), "es: no perfect tense (reads as Spain-only)");
            Assert.That(Texts("es").FollowUp.Passive, Does.Not.Contain("le resulte"), "es: the passive prompt asks what to improve, actively");
            Assert.That(korean.Where(t => t.Length > 12), Has.None.Match("요[?.!]?$"), "ko: one speech level (합쇼체), no 해요체 endings");
            Assert.That(Texts("pt-PT").Question, Does.Not.Contain("você"), "pt-PT: European Portuguese, no 'você'");
        }
    }

    /// <summary>What the native review of the kinds' and reasons' strings fixed (docs/decisions.md, D8).</summary>
    [Test]
    public void Catalog_KindsReviewFixes()
    {
        string S(string code, string key) => SurveyCatalog.Get(code).Strings[key];
        using (Assert.EnterMultipleScope())
        {
            Assert.That(SurveyCatalog.Get("fr").Strings.Values, Has.None.Match(@" [?!:;]"),
                "fr: a no-break space before ? ! : ; (a normal one lets the mark wrap onto a line of its own)");
            Assert.That(SurveyCatalog.Get("es").Strings.Values, Has.None.Contain("Qué tan"), "es: 'qué tan' is Latin American only; neutral 'en qué medida'");
            Assert.That(S("fr", "ces.question"), Does.Not.Contain("{product} est-il"), "fr: no gender for the product's name");
            Assert.That(S("sl", "enps.question"), Does.Contain("delodajalca"), "sl: 'delovno mesto' is a job, not an employer");
            Assert.That(S("et", "enps.followUp.promoter"), Does.Not.Match("juures.*juures"), "et: 'juures' once");
            Assert.That(S("ur", "enps.followUp.promoter"), Does.Contain("قدر کرتے ہیں"), "ur: 'what do you value', not 'what value is to you'");
            Assert.That(S("vi", "enps.question"), Does.Not.Match("là .* là "), "vi: 'là' once");
            foreach (var (code, low, high) in new[] { ("bg", "Много недоволен", "Много доволен"), ("lt", "Labai nepatenkintas", "Labai patenkintas"), ("hi", "बहुत असंतुष्ट", "बहुत संतुष्ट"), ("ur", "بہت غیر مطمئن", "بہت مطمئن") })
                Assert.That((S(code, "csat.low"), S(code, "csat.high")), Is.EqualTo((low, high)), $"{code}: the CSAT ends mirror each other, like 'very dissatisfied' and 'very satisfied'");
        }
    }

    [TestCase("pt-PT", null, "pt-PT")]
    [TestCase("zh-HK", null, "zh-HK")]
    [TestCase("zh-Hant-HK", null, "zh-HK")]
    [TestCase("zh-MO", null, "zh-HK")]
    [TestCase("yue", null, "zh-HK")]
    [TestCase("yue-Hant-HK", null, "zh-HK")]
    [TestCase("yue-Hans", null, "zh-CN")]
    [TestCase("zh-Hant", null, "zh-TW")]
    [TestCase("fa-IR", null, "fa")]
    [TestCase("ur-PK", null, "ur")]
    [TestCase("tl", null, "fil")]
    [TestCase("hi-IN", null, "hi")]
    public void Negotiate_NewLocalesAndChineseVariants(string? locale, string? acceptLanguage, string expected) =>
        Assert.That(LocaleNegotiation.Negotiate(locale, acceptLanguage), Is.EqualTo(expected));

    [TestCase("sw-KE", null, "sw")]
    [TestCase("de-CH", null, "de-CH")]
    [TestCase("de-AT", null, "de")]
    [TestCase(null, "gsw-ch, de;q=0.5", "gsw-CH")]
    [TestCase("SW", null, "sw")]
    public void Negotiate_TriesTheSurveysOwnLocalesAtEachStep(string? locale, string? acceptLanguage, string expected) =>
        Assert.That(LocaleNegotiation.Negotiate(locale, acceptLanguage, ["sw", "de-CH", "gsw-CH"]), Is.EqualTo(expected));

    [TestCase("gsw_ch", "gsw-CH")]
    [TestCase("SR-latn-rs", "sr-Latn-RS")]
    [TestCase("es-419", "es-419")]
    public void Canonical_UsesTheUsualCasing(string tag, string expected) =>
        Assert.That(LocaleNegotiation.Canonical(tag), Is.EqualTo(expected));

    [TestCase("ps", "rtl")]
    [TestCase("ckb-IQ", "rtl")]
    [TestCase("pa-Arab", "rtl")]
    [TestCase("ku-Latn", "ltr")]
    [TestCase("sw", "ltr")]
    public void DefaultDir_IsRightToLeftForRightToLeftLanguagesAndScripts(string tag, string expected) =>
        Assert.That(LocaleNegotiation.DefaultDir(tag), Is.EqualTo(expected));

    [TestCase("de-AT", null, "de")]
    [TestCase("de_AT", null, "de")]
    [TestCase("DE", null, "de")]
    [TestCase("en-US", null, "en")]
    [TestCase("pt-BR", null, "pt-BR")]
    [TestCase("pt", null, "pt-BR")]
    [TestCase("zh", null, "zh-CN")]
    [TestCase("zh-CN", null, "zh-CN")]
    [TestCase("zh-SG", null, "zh-CN")]
    [TestCase("zh-Hans-CN", null, "zh-CN")]
    [TestCase("zh-TW", null, "zh-TW")]
    [TestCase("zh-Hant-TW", null, "zh-TW")]
    [TestCase("no", null, "nb")]
    [TestCase("nb-NO", null, "nb")]
    [TestCase("nn-NO", null, "nb")]
    [TestCase("iw", null, "he")]
    [TestCase("ar-EG", null, "ar")]
    [TestCase("sr-Latn-RS", null, "en")]
    [TestCase("xx", "ja-JP", "ja")]
    [TestCase(null, "fr-CH, fr;q=0.9, en;q=0.8", "fr")]
    [TestCase(null, "xx, en;q=0.5, de;q=0.8", "de")]
    [TestCase(null, "de;q=0, fr", "fr")]
    [TestCase(null, "*", "en")]
    [TestCase(null, "ko;q=0.5, ja;q=0.5", "ko")]
    [TestCase(null, "de;q=oops, it", "it")]
    [TestCase(null, null, "en")]
    [TestCase("", "", "en")]
    [TestCase("it", "de", "it")]
    public void Negotiate_FieldThenAcceptLanguageThenEnglish(string? locale, string? acceptLanguage, string expected) =>
        Assert.That(LocaleNegotiation.Negotiate(locale, acceptLanguage), Is.EqualTo(expected));

    [TestCase("de", true)]
    [TestCase("pt-BR", true)]
    [TestCase("zh_Hant_TW", true)]
    [TestCase("x", false)]
    [TestCase("de-", false)]
    [TestCase("<script>", false)]
    [TestCase("de' OR 1=1 --", false)]
    [TestCase("abcdefghi", false)]
    public void IsWellFormedTag_AcceptsLanguageTagsOnly(string tag, bool expected) =>
        Assert.That(LocaleNegotiation.IsWellFormedTag(tag), Is.EqualTo(expected));

    [Test]
    public void Localize_FillsTheProduct_AndAppliesOnlyTheNegotiatedLocalesOverrides()
    {
        var survey = SurveyDefaults.New("ws", 0) with
        {
            Texts = new Dictionary<string, TextOverrides>
            {
                ["de"] = new(Question: "Würden Sie {product} empfehlen?", FollowUp: new FollowUpTexts(Detractor: "Was fehlt {product}?")),
            },
        };

        var german = EligibilityService.Localize(survey, "de", "Acme HR");
        var english = EligibilityService.Localize(survey, "en", "Acme HR");
        var hebrew = EligibilityService.Localize(survey, "he", "Acme HR");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(german.Texts.Question, Is.EqualTo("Würden Sie Acme HR empfehlen?"));
            Assert.That(german.Texts.FollowUp.Detractor, Is.EqualTo("Was fehlt Acme HR?"));
            Assert.That(german.Texts.FollowUp.Promoter, Is.EqualTo("Was gefällt Ihnen an Acme HR am besten?"));
            Assert.That(german.Texts.Low, Is.EqualTo("Überhaupt nicht wahrscheinlich"));
            Assert.That(german.Dir, Is.EqualTo("ltr"));
            Assert.That(english.Texts.Question, Is.EqualTo("How likely are you to recommend Acme HR to a friend or colleague?"));
            Assert.That(hebrew.Dir, Is.EqualTo("rtl"));
            Assert.That(hebrew.Locale, Is.EqualTo("he"));
            Assert.That(AllStrings(german.Texts).Concat(AllStrings(english.Texts)), Has.None.Contains("{product}"));
        }
    }

    static TextOverrides Swahili(string? dir = null) => new(
        Question: "Kuna uwezekano gani kwamba utapendekeza {product} kwa rafiki au mwenzako?",
        Low: "Haiwezekani kabisa", High: "Inawezekana sana",
        FollowUp: new FollowUpTexts("Unapenda nini zaidi kuhusu {product}?", "Tungefanya nini ili {product} iwe bora kwako?", "Nini kilikukatisha tamaa?"),
        Placeholder: "Tuambie zaidi (si lazima)", Submit: "Tuma", Dismiss: "Funga", Thanks: "Asante kwa maoni yako!", OptOut: "Usiniulize tena", Dir: dir);

    [Test]
    public void Localize_CustomLocale_UsesItsOwnTexts_AndDirection()
    {
        var survey = SurveyDefaults.New("ws", 0) with
        {
            Texts = new Dictionary<string, TextOverrides> { ["sw"] = Swahili(), ["ps"] = Swahili() with { Question = "{product}?" } },
        };

        var swahili = EligibilityService.Localize(survey, "sw", "Acme");
        var pashto = EligibilityService.Localize(survey, "ps", "Acme");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(swahili.Locale, Is.EqualTo("sw"));
            Assert.That(swahili.Dir, Is.EqualTo("ltr"));
            Assert.That(swahili.Texts.Question, Is.EqualTo("Kuna uwezekano gani kwamba utapendekeza Acme kwa rafiki au mwenzako?"));
            Assert.That(swahili.Texts.OptOut, Is.EqualTo("Usiniulize tena"));
            Assert.That(swahili.Texts.FollowUp.Passive, Is.EqualTo("Tungefanya nini ili Acme iwe bora kwako?"));
            Assert.That(pashto.Dir, Is.EqualTo("rtl"), "a right-to-left language defaults to rtl");
        }
    }

    [Test]
    public void Localize_Variant_LaysItsTextsOverTheSurveysAndTheCatalogs()
    {
        var survey = SurveyDefaults.New("ws", 0) with
        {
            Texts = new Dictionary<string, TextOverrides> { ["en"] = new(Low: "Never") },
            Variants =
            [
                new SurveyVariant("a", 1, new Dictionary<string, TextOverrides>()),
                new SurveyVariant("b", 1, new Dictionary<string, TextOverrides> { ["en"] = new(Question: "Would you tell a colleague about {product}?") }),
            ],
        };

        var a = EligibilityService.Localize(survey, "en", "Acme", "a");
        var b = EligibilityService.Localize(survey, "en", "Acme", "b");
        var bGerman = EligibilityService.Localize(survey, "de", "Acme", "b");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(a.Texts.Question, Is.EqualTo("How likely are you to recommend Acme to a friend or colleague?"));
            Assert.That(b.Texts.Question, Is.EqualTo("Would you tell a colleague about Acme?"));
            Assert.That(b.Texts.Low, Is.EqualTo("Never"), "the survey's own override stays under the variant's");
            Assert.That(b.Texts.High, Is.EqualTo("Extremely likely"));
            Assert.That(bGerman.Texts.Question, Does.StartWith("Wie wahrscheinlich"), "a variant changes only the locales it names");
        }
    }
}
