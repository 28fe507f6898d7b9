using System.Globalization;
using System.Text.Json;
using Microsoft.Playwright;
using Pulse.Api.Dashboard;
using Pulse.Api.Workspaces;
using Pulse.Tests.Support;

namespace Pulse.Tests.Dashboard;

/// <summary>
/// What the dashboard's browser fixtures share: the real API on a loopback port (Development, where
/// the demo workspace lives) seeded with the demo story, and helpers that sign in, navigate by hash,
/// wait for a view to finish rendering, read the API the page reads, run axe and take screenshots.
/// </summary>
public abstract class DashboardPage : BrowserTest
{
    protected static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    PulseFactory _app = null!;
    HttpClient _api = null!;

    protected PulseFactory App => _app;
    protected HttpClient Api => _api;
    protected string Screens { get; private set; } = null!;

    /// <summary>How many responses the demo workspace is seeded with.</summary>
    protected abstract int Responses { get; }

    /// <summary>Settings of the API besides the test defaults.</summary>
    protected virtual IDictionary<string, string?>? Settings => null;

    /// <summary>Starts the API (before the fixture's own one-time set-up) and seeds the demo workspace.</summary>
    [OneTimeSetUp]
    public async Task StartApi()
    {
        _app = new PulseFactory(Settings, environment: "Development"); // the demo workspace exists only there
        _app.StartKestrel();
        await _app.Services.GetRequiredService<DemoSeeder>().SeedAsync(new SeedOptions(Responses: Responses));
        _api = _app.SecretClient(DemoWorkspace.SecretKey);
        Screens = Path.Combine(TestContext.CurrentContext.WorkDirectory, "dashboard-screenshots");
        Directory.CreateDirectory(Screens);
    }

    [OneTimeTearDown]
    public void StopApi()
    {
        _api?.Dispose();
        _app?.Dispose();
    }

    /// <summary>The view's render counter: it changes each time a render completes.</summary>
    protected async Task<string> Rendered(IPage? page = null) => await (page ?? Page).Locator("#view").GetAttributeAsync("data-ready") ?? "";

    protected async Task WaitForRender(string view, string before, IPage? page = null) =>
        await (page ?? Page).WaitForFunctionAsync(
            "([view, before]) => { const v = document.getElementById('view'); return v.dataset.view === view && !v.hasAttribute('aria-busy') && !!v.dataset.ready && v.dataset.ready !== before; }",
            new object[] { view, before });

    /// <summary>Opens the dashboard at the API's fake "now", collects CSP violations and dialogs, signs in as the demo owner (or another member).</summary>
    protected async Task<List<string>> SignIn(string view = "overview", IPage? page = null, string? email = null, string? password = null)
    {
        page ??= Page;
        var dialogs = new List<string>();
        page.Dialog += (_, dialog) => { dialogs.Add(dialog.Message); _ = dialog.DismissAsync(); };
        await page.Clock.SetFixedTimeAsync(App.Time.GetUtcNow().UtcDateTime);
        await page.AddInitScriptAsync("window.__csp = []; document.addEventListener('securitypolicyviolation', e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));");
        await page.GotoAsync(new Uri(App.Address!, "/dashboard#/" + view).ToString());
        await page.FillAsync("#signin-email", email ?? DemoWorkspace.Owner.Email);
        await page.FillAsync("#signin-password", password ?? DemoWorkspace.Owner.Password);
        await page.ClickAsync("#signin-form button[type=submit]");
        await page.WaitForFunctionAsync(
            "view => { const v = document.getElementById('view'); return v.dataset.view === view && !v.hasAttribute('aria-busy') && !!v.dataset.ready; }",
            ViewOf(view));
        return dialogs;
    }

    /// <summary>Goes to a hash route and waits for its render.</summary>
    protected async Task Go(string hash, IPage? page = null)
    {
        page ??= Page;
        if (await page.EvaluateAsync<string>("location.hash") == hash)
            return;
        var before = await Rendered(page);
        await page.EvaluateAsync("h => { location.hash = h; }", hash);
        await WaitForRender(ViewOf(hash), before, page);
    }

    /// <summary>The view a route renders: its path, except the response page (<c>responses/123</c> → <c>response</c>).</summary>
    protected static string ViewOf(string route)
    {
        var path = route.TrimStart('#', '/').Split('?')[0];
        return path.StartsWith("responses/", StringComparison.Ordinal) ? "response" : path;
    }

    /// <summary>Runs <paramref name="action"/> and waits for the view to render again.</summary>
    protected async Task AndRender(string view, Func<Task> action, IPage? page = null)
    {
        var before = await Rendered(page);
        await action();
        await WaitForRender(view, before, page);
    }

    protected async Task<string> Range() =>
        $"from={await Page.InputValueAsync("#filter-from")}&to={await Page.InputValueAsync("#filter-to")}";

    protected async Task<JsonElement> Get(string pathAndQuery) => await (await Api.GetAsync(pathAndQuery)).ReadJson<JsonElement>();

    /// <summary>A screenshot in the test results folder (the README's pictures come from here).</summary>
    protected async Task Shot(string name, bool fullPage = true, IPage? page = null)
    {
        page ??= Page;
        await page.EvaluateAsync("window.scrollTo(0, 0)");
        await page.ScreenshotAsync(new() { Path = Path.Combine(Screens, name + ".png"), FullPage = fullPage });
    }

    /// <summary>NPS as the dashboard writes it: one decimal, a real minus sign.</summary>
    protected static string Nps(JsonElement value) => value.ValueKind == JsonValueKind.Null
        ? "—" : value.GetDouble().ToString("0.0", Inv).Replace('-', '−');

    protected async Task<string?> KpiValue(string kpi) => await Page.GetAttributeAsync($"[data-kpi={kpi}] .kpi-value", "data-value");

    /// <summary>axe on the page as it is now, with every &lt;details&gt; open so their tables are checked too.</summary>
    protected static async Task AssertAxeClean(IPage page, string where)
    {
        await page.EvaluateAsync("document.querySelectorAll('details').forEach(d => d.open = true)");
        var violations = await Axe.ViolationsAsync(page);
        await page.EvaluateAsync("document.querySelectorAll('details').forEach(d => d.open = false)");
        Assert.That(violations, Is.Empty, where);
    }

    /// <summary>How far the document scrolls sideways (0 when everything fits the viewport).</summary>
    protected static async Task<int> Overflow(IPage page) =>
        await page.EvaluateAsync<int>("document.documentElement.scrollWidth - document.documentElement.clientWidth");

    /// <summary>Clicks the button of the open confirmation dialog ("yes" or "no") and returns what the dialog said.</summary>
    protected static async Task<string> AnswerConfirm(IPage page, bool yes)
    {
        var dialog = page.Locator("dialog.confirm[open]");
        await dialog.WaitForAsync();
        var text = await dialog.InnerTextAsync();
        await dialog.Locator($"button[data-confirm={(yes ? "yes" : "no")}]").ClickAsync();
        await dialog.WaitForAsync(new() { State = WaitForSelectorState.Detached });
        return text;
    }
}
