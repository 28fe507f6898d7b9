using System.Net;
using Pulse.Api.Storage;
using Pulse.Tests.Support;
using static Pulse.Tests.Eligibility.EligibilityCalls;
using static Pulse.Tests.Links.LinkCalls;

namespace Pulse.Tests.Links;

/// <summary>
/// The link's pages without a survey (expired, answered, unknown) and the unsubscribe pages speak the user's language
/// (issue 18, C9): the link's locale when the token is known, else Accept-Language, else English; lang and dir on &lt;html&gt;.
/// </summary>
[TestFixture(StorageProvider.Sqlite)]
[TestFixture(StorageProvider.Postgres, Category = TestCategories.Process)]
public sealed class LinkPagesLanguageTests(StorageProvider provider)
{
    const string Unknown = "/s/sl_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    static readonly DateTimeOffset Now = PulseFactory.DefaultNow;

    PulseFactory _app = null!;

    [SetUp]
    public void Start() => _app = new PulseFactory(new Dictionary<string, string?> { ["Links:LinkDays"] = "1" }, provider: provider);

    [TearDown]
    public void Stop() => _app.Dispose();

    async Task<string> LinkPath(string userId, string? locale, string name = "Acme")
    {
        var ws = _app.CreateWorkspace(name, ["https://app.acme.test"]);
        return PathOf(await _app.SecretClient(ws.SecretKey).CreateLink(new { user = User(userId, Now), locale }));
    }

    /// <summary>Sends a request with an Accept-Language header (none when null); returns the status and the page, HTML-decoded.</summary>
    async Task<(HttpStatusCode Status, string Html, string Raw)> Send(HttpMethod method, string path, string? acceptLanguage)
    {
        using var visitor = _app.CreateClient();
        using var request = new HttpRequestMessage(method, path);
        if (acceptLanguage is not null)
            request.Headers.TryAddWithoutValidation("Accept-Language", acceptLanguage);
        using var response = await visitor.SendAsync(request);
        var raw = await response.Content.ReadAsStringAsync();
        Assert.That(response.Content.Headers.ContentType!.MediaType, Is.EqualTo("text/html"), raw);
        Assert.That(raw, Does.Not.Contain("<script"), "the pages run no script");
        return (response.StatusCode, WebUtility.HtmlDecode(raw), raw);
    }

    [Test]
    public async Task ExpiredPage_OfAGermanLink_IsGerman_WhateverTheBrowserAsks()
    {
        var path = await LinkPath("u-de", "de");
        _app.Time.Advance(TimeSpan.FromDays(1));

        var (status, html, _) = await Send(HttpMethod.Get, path, "fr-FR, en;q=0.8");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(status, Is.EqualTo(HttpStatusCode.Gone));
            Assert.That(html, Does.Contain("<html lang=\"de\" dir=\"ltr\">"));
            Assert.That(html, Does.Contain("<title>Dieser Umfragelink ist abgelaufen</title>").And.Contain("<h1>Dieser Umfragelink ist abgelaufen</h1>"));
            Assert.That(html, Does.Contain("Vielen Dank für Ihr Interesse.").And.Contain("<p>— Acme</p>"));
            Assert.That(html, Does.Not.Contain("expired"));
        }
    }

    [Test]
    public async Task ExpiredPage_OfAnArabicLink_IsRightToLeft()
    {
        var path = await LinkPath("u-ar", "ar");
        _app.Time.Advance(TimeSpan.FromDays(1));

        var (status, html, _) = await Send(HttpMethod.Get, path, null);

        Assert.That(status, Is.EqualTo(HttpStatusCode.Gone));
        Assert.That(html, Does.Contain("<html lang=\"ar\" dir=\"rtl\">").And.Contain("انتهت صلاحية رابط الاستطلاع هذا"));
    }

    [Test]
    public async Task ExpiredPage_OfALinkWithoutLocale_FollowsAcceptLanguage()
    {
        var path = await LinkPath("u-none", null);
        _app.Time.Advance(TimeSpan.FromDays(1));

        var hebrew = await Send(HttpMethod.Get, path, "he-IL");
        var english = await Send(HttpMethod.Get, path, "xx-YY");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(hebrew.Html, Does.Contain("<html lang=\"he\" dir=\"rtl\">").And.Contain("תוקף קישור הסקר פג"));
            Assert.That(english.Html, Does.Contain("<html lang=\"en\" dir=\"ltr\">").And.Contain("This survey link has expired"));
        }
    }

    [Test]
    public async Task AnsweredPage_IsInTheLanguageTheLinkWasOpenedIn()
    {
        var path = await LinkPath("u-opened", null);
        using (var visitor = _app.CreateClient())
        {
            visitor.DefaultRequestHeaders.Add("Accept-Language", "de-AT");
            Assert.That((int)(await visitor.GetAsync(path)).StatusCode, Is.EqualTo(200), "the survey page, opened in German");
            Assert.That((int)(await visitor.PostAsync(path + "/responses", Json.Of(new { score = 9 }))).StatusCode, Is.EqualTo(201));
        }

        var (status, html, _) = await Send(HttpMethod.Get, path, "en-US");

        Assert.That(status, Is.EqualTo(HttpStatusCode.Gone));
        Assert.That(html, Does.Contain("<html lang=\"de\" dir=\"ltr\">").And.Contain("Vielen Dank, Ihre Antwort wurde gespeichert"),
            "the display's locale (chosen at the first opening) wins over a later browser's");
    }

    [TestCase(null, "en", "ltr", "Survey link not found")]
    [TestCase("fr-CA, de;q=0.5", "fr", "ltr", "Lien d’enquête introuvable")]
    [TestCase("xx, fa;q=0.3", "fa", "rtl", "پیوند نظرسنجی پیدا نشد")]
    [TestCase("zh-Hant-HK", "zh-HK", "ltr", "找不到問卷連結")]
    public async Task UnknownLink_NegotiatesAcceptLanguage(string? acceptLanguage, string lang, string dir, string title)
    {
        var page = await Send(HttpMethod.Get, Unknown, acceptLanguage);
        var unsubscribe = await Send(HttpMethod.Get, Unknown + "/unsubscribe", acceptLanguage);
        var unsubscribePost = await Send(HttpMethod.Post, Unknown + "/unsubscribe", acceptLanguage);

        using (Assert.EnterMultipleScope())
            foreach (var (status, html, _) in new[] { page, unsubscribe, unsubscribePost })
            {
                Assert.That(status, Is.EqualTo(HttpStatusCode.NotFound));
                Assert.That(html, Does.Contain($"<html lang=\"{lang}\" dir=\"{dir}\">").And.Contain($"<h1>{title}</h1>"));
            }
    }

    [Test]
    public async Task UnsubscribePages_OfAGermanLink_AreGerman_AndNameTheLocalesOptOut()
    {
        var path = await LinkPath("u-unsub-de", "de");

        var page = await Send(HttpMethod.Get, path + "/unsubscribe", "en");
        var done = await Send(HttpMethod.Post, path + "/unsubscribe", "en");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(page.Status, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(page.Html, Does.Contain("<html lang=\"de\" dir=\"ltr\">")
                .And.Contain("<h1>Umfrage-E-Mails abbestellen</h1>")
                .And.Contain("<button type=\"submit\">Umfrage-E-Mails abbestellen</button>")
                .And.Contain("Keine Umfrage-E-Mails mehr von Acme erhalten?")
                .And.Contain("wählen Sie bei der nächsten Umfrage im Produkt „Nicht mehr fragen“."));
            Assert.That(done.Status, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(done.Html, Does.Contain("<html lang=\"de\" dir=\"ltr\">").And.Contain("<h1>Sie haben sich abgemeldet</h1>")
                .And.Contain("Sie erhalten keine Umfrage-E-Mails mehr von Acme.").And.Contain("„Nicht mehr fragen“"));
            Assert.That(page.Html + done.Html, Does.Not.Contain("{product}").And.Not.Contain("{optOut}").And.Not.Contain("Unsubscribe"));
        }
    }

    [Test]
    public async Task UnsubscribePages_OfAnArabicLink_AreRightToLeft()
    {
        var path = await LinkPath("u-unsub-ar", "ar");

        var page = await Send(HttpMethod.Get, path + "/unsubscribe", null);
        var done = await Send(HttpMethod.Post, path + "/unsubscribe", null);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(page.Html, Does.Contain("<html lang=\"ar\" dir=\"rtl\">").And.Contain("هل تريد التوقف عن تلقي رسائل الاستطلاعات من Acme؟"));
            Assert.That(done.Html, Does.Contain("<html lang=\"ar\" dir=\"rtl\">").And.Contain("<h1>تم إلغاء اشتراكك</h1>"));
        }
    }

    [Test]
    public async Task UnsubscribePages_OfALinkWithoutLocale_FollowAcceptLanguage()
    {
        var path = await LinkPath("u-unsub-none", null);

        var page = await Send(HttpMethod.Get, path + "/unsubscribe", "ur-PK");
        var done = await Send(HttpMethod.Post, path + "/unsubscribe", "ja");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(page.Html, Does.Contain("<html lang=\"ur\" dir=\"rtl\">"));
            Assert.That(done.Html, Does.Contain("<html lang=\"ja\" dir=\"ltr\">").And.Contain("<h1>配信を停止しました</h1>"));
        }
    }

    [Test]
    public async Task Pages_EncodeTheProductName()
    {
        var path = await LinkPath("u-enc", "de", "<b>Acme & Co</b>");

        var unsubscribe = await Send(HttpMethod.Get, path + "/unsubscribe", null);
        _app.Time.Advance(TimeSpan.FromDays(1));
        var expired = await Send(HttpMethod.Get, path, null);

        using (Assert.EnterMultipleScope())
            foreach (var (_, _, raw) in new[] { unsubscribe, expired })
                Assert.That(raw, Does.Contain("&lt;b&gt;Acme &amp; Co&lt;/b&gt;").And.Not.Contain("<b>"));
    }
}
