using Pulse.Api.Eligibility;
using Pulse.Api.Localization;
using Pulse.Api.Surveys;

namespace Pulse.Tests.Eligibility;

public sealed class LocalizationTests
{
    static readonly string[] Required =
        ["en", "de", "ja", "fr", "es", "pt-BR", "it", "nl", "sv", "da", "nb", "fi", "pl", "cs", "tr", "ru", "zh-CN", "zh-TW", "ko", "ar", "he"];

    static IEnumerable<string> AllStrings(SurveyTexts t) =>
        [t.Question, t.Low, t.High, t.FollowUp.Promoter, t.FollowUp.Passive, t.FollowUp.Detractor, t.Placeholder, t.Submit, t.Dismiss, t.Thanks];

    [Test]
    public void Catalog_HasEveryRequiredLocale_AndAtLeast21()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(SurveyCatalog.Codes, Is.SupersetOf(Required));
            Assert.That(SurveyCatalog.Codes, Has.Count.GreaterThanOrEqualTo(21));
            Assert.That(SurveyCatalog.Codes, Is.Unique);
        }
    }

    [Test]
    public void Catalog_EveryLocale_HasEveryString_AndNamesTheProductInTheQuestion()
    {
        using (Assert.EnterMultipleScope())
            foreach (var code in SurveyCatalog.Codes)
            {
                var texts = SurveyCatalog.Get(code).Texts;
                Assert.That(AllStrings(texts).Select(s => s.Trim().Length), Has.All.InRange(1, 200), code);
                Assert.That(texts.Question, Does.Contain("{product}"), code);
                Assert.That(AllStrings(texts).Select(s => s.Replace("{product}", "", StringComparison.Ordinal)),
                    Has.None.Contains("{").And.None.Contains("}"), code + ": the only placeholder is {product}");
            }
    }

    [Test]
    public void Catalog_TranslationsAreNotEnglishLeftovers()
    {
        var english = SurveyCatalog.Get("en").Texts;
        using (Assert.EnterMultipleScope())
            foreach (var code in SurveyCatalog.Codes.Where(c => c != "en"))
            {
                var texts = SurveyCatalog.Get(code).Texts;
                Assert.That(texts.Question, Is.Not.EqualTo(english.Question), code);
                Assert.That(texts.Low, Is.Not.EqualTo(english.Low), code);
                Assert.That(texts.Thanks, Is.Not.EqualTo(english.Thanks), code);
            }
    }

    [Test]
    public void Catalog_RightToLeft_IsExactlyArabicAndHebrew() =>
        Assert.That(SurveyCatalog.Codes.Where(c => SurveyCatalog.Get(c).Dir == "rtl"), Is.EquivalentTo(new[] { "ar", "he" }));

    [TestCase("de-AT", null, "de")]
    [TestCase("de_AT", null, "de")]
    [TestCase("DE", null, "de")]
    [TestCase("en-US", null, "en")]
    [TestCase("pt-BR", null, "pt-BR")]
    [TestCase("pt", null, "pt-BR")]
    [TestCase("pt-PT", null, "pt-BR")]
    [TestCase("zh", null, "zh-CN")]
    [TestCase("zh-CN", null, "zh-CN")]
    [TestCase("zh-SG", null, "zh-CN")]
    [TestCase("zh-Hans-CN", null, "zh-CN")]
    [TestCase("zh-TW", null, "zh-TW")]
    [TestCase("zh-HK", null, "zh-TW")]
    [TestCase("zh-Hant-HK", null, "zh-TW")]
    [TestCase("zh-mo", null, "zh-TW")]
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
                ["de"] = new(Question: "Würden Sie {product} empfehlen?", FollowUp: new FollowUpOverrides(Detractor: "Was fehlt {product}?")),
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
}
