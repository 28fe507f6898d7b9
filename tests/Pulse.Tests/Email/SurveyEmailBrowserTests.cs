using System.Globalization;
using System.Text.RegularExpressions;
using Dapper;
using Microsoft.Playwright;
using Pulse.Api.Workspaces;
using Pulse.Tests.Support;
using static Pulse.Tests.Eligibility.EligibilityCalls;

namespace Pulse.Tests.Email;

/// <summary>
/// The survey email's HTML part, as received by a real SMTP server (smtp4dev), rendered in Chromium:
/// axe clean, and a click on a score opens the hosted page with that score selected, which records
/// the answer only when submitted.
/// </summary>
[Category(TestCategories.Process)]
public sealed class SurveyEmailBrowserTests : BrowserTest
{
    Smtp4Dev _smtp = null!;
    PulseFactory _app = null!;
    CreatedWorkspace _ws = null!;

    [OneTimeSetUp]
    public async Task StartServers()
    {
        _smtp = await Smtp4Dev.StartAsync();
        var port = ApiProcess.FreeLoopbackPort();
        var settings = _smtp.Settings;
        settings["Email:PublicUrl"] = $"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}";
        settings["Email:FallbackCheckInterval"] = "01:00:00";
        _app = new PulseFactory(settings, time: new FakeTimeProvider(DateTimeOffset.UtcNow));
        _app.StartKestrel(port);
        _ws = _app.CreateWorkspace("Acme HR");
    }

    [OneTimeTearDown]
    public void StopServers()
    {
        _app?.Dispose();
        _smtp?.Dispose();
    }

    long Responses()
    {
        using var c = _app.Db.Open();
        return c.ExecuteScalar<long>("SELECT COUNT(*) FROM responses");
    }

    [Test]
    public async Task TheHtmlPart_IsAxeClean_AndAScoreLinkOpensTheHostedPageWithItSelected_RecordedOnlyOnSubmit()
    {
        using (var server = _app.SecretClient(_ws.SecretKey))
            (await server.PostAsync($"/v1/surveys/{DefaultSurveyId(_app.Db, _ws.WorkspaceId)}/send",
                Json.Of(new { users = new[] { User("u-mail", _app.Time.GetUtcNow(), email: "mia@acme.test") } }))).EnsureSuccessStatusCode();
        var message = (await _smtp.WaitForAsync(1)).Single();

        await Page.SetContentAsync(message.HtmlBody!);
        Assert.That(await Axe.ViolationsAsync(Page), Is.Empty);

        await Page.GetByRole(AriaRole.Link, new() { Name = "9", Exact = true }).ClickAsync();
        await Page.WaitForURLAsync(new Regex("/s/sl_[A-Za-z0-9]{40}\\?score=9$"));
        await Page.Locator("pulse-survey section").WaitForAsync();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(await Page.Locator("pulse-survey input[type=radio][value=\"9\"]").IsCheckedAsync(), Is.True, "the score is pre-selected");
            Assert.That(Responses(), Is.Zero, "opening the link records nothing");
        }

        var posted = await Page.RunAndWaitForResponseAsync(() => Page.Locator("pulse-survey button.b").ClickAsync(),
            r => r.Request.Method == "POST" && new Uri(r.Url).AbsolutePath.EndsWith("/responses", StringComparison.Ordinal));
        Assert.That(posted.Status, Is.EqualTo(201));
        using var c = _app.Db.Open();
        Assert.That(c.QuerySingle<(long, string)>("SELECT r.score, d.channel FROM responses r JOIN displays d ON d.id = r.display_id"), Is.EqualTo((9L, "email")));
    }
}
