using System.Net;
using Pulse.Api.Dashboard;
using Pulse.Api.Storage;
using Pulse.Tests.Support;

namespace Pulse.Tests.Dashboard;

[TestFixture(StorageProvider.Sqlite)]
[TestFixture(StorageProvider.Postgres, Category = TestCategories.Process)]
public sealed class DashboardServingTests(StorageProvider provider)
{
    PulseFactory _app = null!;
    HttpClient _http = null!;

    [OneTimeSetUp]
    public void SetUp()
    {
        _app = new PulseFactory(provider: provider);
        _http = _app.CreateClient();
    }

    [OneTimeTearDown]
    public void TearDown()
    {
        _http.Dispose();
        _app.Dispose();
    }

    [TestCase("/dashboard")]
    [TestCase("/dashboard/")]
    public async Task Page_IsHtmlUnderAStrictCsp(string path)
    {
        var response = await _http.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        var csp = response.Headers.GetValues("Content-Security-Policy").Single();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/html"));
            Assert.That(csp, Does.Contain("default-src 'self'").And.Contain("script-src 'self'").And.Contain("style-src 'self'")
                .And.Contain("frame-ancestors 'none'").And.Contain("base-uri 'none'").And.Contain("form-action 'none'"));
            Assert.That(csp, Does.Not.Contain("unsafe"));
            Assert.That(response.Headers.GetValues("X-Content-Type-Options").Single(), Is.EqualTo("nosniff"));
            Assert.That(response.Headers.GetValues("Referrer-Policy").Single(), Is.EqualTo("no-referrer"));
            Assert.That(body, Does.Contain("<script type=\"module\" src=\"/dashboard/assets/app.js\"></script>"));
        }
    }

    [Test]
    public void Assets_HaveNoInlineScriptOrStyle_AndNeverUseInnerHtml()
    {
        var html = System.Text.Encoding.UTF8.GetString(DashboardAssets.Find("index.html")!.Content);
        var scripts = DashboardAssets.All.Values.Where(a => a.Name.EndsWith(".js", StringComparison.Ordinal))
            .Select(a => (a.Name, Text: System.Text.Encoding.UTF8.GetString(a.Content))).ToList();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(scripts, Has.Count.GreaterThanOrEqualTo(8), "the modules are embedded");
            Assert.That(System.Text.RegularExpressions.Regex.IsMatch(html, @"<script(?![^>]*\ssrc=)[^>]*>"), Is.False, "no inline <script>");
            Assert.That(html, Does.Not.Contain("<style").And.Not.Contain(" style=").And.Not.Contain(" onclick="));
            foreach (var (name, text) in scripts)
                Assert.That(text, Does.Not.Contain("innerHTML").And.Not.Contain("outerHTML").And.Not.Contain("insertAdjacentHTML")
                    .And.Not.Contain("eval(").And.Not.Contain("new Function"), name);
        }
    }

    [TestCase("app.js", "text/javascript")]
    [TestCase("dashboard.css", "text/css")]
    [TestCase("icon.svg", "image/svg+xml")]
    public async Task Asset_IsServedWithItsTypeAndRevalidatesWithETag(string name, string type)
    {
        var first = await _http.GetAsync("/dashboard/assets/" + name);
        Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var etag = first.Headers.ETag!;
        using var again = new HttpRequestMessage(HttpMethod.Get, "/dashboard/assets/" + name);
        again.Headers.IfNoneMatch.Add(etag);
        var second = await _http.SendAsync(again);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(first.Content.Headers.ContentType?.MediaType, Is.EqualTo(type));
            Assert.That(first.Headers.CacheControl?.NoCache, Is.True);
            Assert.That(first.Headers.Contains("Content-Security-Policy"), Is.True);
            Assert.That(second.StatusCode, Is.EqualTo(HttpStatusCode.NotModified));
        }
    }

    [TestCase("/dashboard/assets/nope.js")]
    [TestCase("/dashboard/assets/index.html")]
    [TestCase("/dashboard/assets/..%2FPulse.Api.dll")]
    public async Task UnknownAsset_Is404Problem(string path) => await (await _http.GetAsync(path)).AssertProblem(404);

    [Test]
    public async Task Page_NeedsNoKey_ButTheDataDoes()
    {
        Assert.That((await _http.GetAsync("/dashboard")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        await (await _http.GetAsync("/v1/metrics/scores")).AssertProblem(401);
    }
}
