using System.Text.Json;
using Dapper;
using Microsoft.Playwright;
using Pulse.Api.Workspaces;
using Pulse.Tests.Support;

namespace Pulse.Tests.Widget;

/// <summary>
/// Browser fixtures of the widget: the real API on loopback (with the demo workspace and the sample
/// page, as <c>dotnet run</c> serves them), host pages on a second loopback origin, and a workspace
/// that allows that origin. The clock starts at the real "now" so browser dates and server dates agree.
/// </summary>
public abstract class WidgetBrowserTest : BrowserTest
{
    protected PulseFactory Api { get; private set; } = null!;
    protected HostSite Site { get; private set; } = null!;
    protected CreatedWorkspace Workspace { get; private set; } = null!;
    protected string ScriptUrl { get; private set; } = null!;

    [OneTimeSetUp]
    public async Task StartServers()
    {
        Api = new PulseFactory(new Dictionary<string, string?> { ["Demo:Enabled"] = "true", ["Widget:ServeSamples"] = "true" },
            time: new FakeTimeProvider(DateTimeOffset.UtcNow), environment: "Development");
        Api.StartKestrel();
        Site = await HostSite.StartAsync();
        Site.Script("/probe.js", HostPages.Probe);
        Workspace = Api.CreateWorkspace("Acme HR", [Site.Origin], requireUserHash: false);
        ScriptUrl = new Uri(Api.Address!, "/widget/v1/pulse.js").ToString();
    }

    [OneTimeTearDown]
    public async Task StopServers()
    {
        if (Site is not null)
            await Site.DisposeAsync();
        Api?.Dispose();
    }

    /// <summary>A host page on the second origin with the README snippet for this user and options.</summary>
    protected string HostPage(string name, string userId, object? extra = null, string head = "", string lang = "en")
    {
        var init = new Dictionary<string, object?> { ["siteKey"] = Workspace.SiteKey, ["user"] = HostPages.User(userId, Api.Time.GetUtcNow()) };
        if (extra is not null)
            foreach (var property in extra.GetType().GetProperties())
                init[property.Name] = property.GetValue(extra);
        return Site.Page($"/{name}.html", HostPages.Html(head + "<script>" + HostPages.Snippet(ScriptUrl, init) + "</script>", lang: lang));
    }

    /// <summary>Runs <paramref name="action"/> and returns the JSON of the eligibility answer it caused.</summary>
    protected async Task<JsonElement> EligibilityAfter(Func<Task> action)
    {
        var response = await Page.RunAndWaitForResponseAsync(action, IsPost("/v1/eligibility"));
        return JsonDocument.Parse(await response.TextAsync()).RootElement.Clone();
    }

    /// <summary>Runs <paramref name="action"/> and returns the status of the POST to <paramref name="path"/> it caused.</summary>
    protected async Task<int> StatusOfPostAfter(string path, Func<Task> action) =>
        (await Page.RunAndWaitForResponseAsync(action, IsPost(path))).Status;

    static Func<IResponse, bool> IsPost(string path) =>
        r => r.Request.Method == "POST" && new Uri(r.Url).AbsolutePath == path;

    protected ILocator Survey => Page.Locator("pulse-survey section");

    protected ILocator Radio(int score) => Page.Locator($"pulse-survey input[type=radio][value=\"{score}\"]");

    protected ILocator ScoreBox(int score) => Page.Locator("pulse-survey .s label").Nth(score);

    protected ILocator Status => Page.Locator("pulse-survey [role=status]");

    /// <summary>The status region once the thank-you is in it.</summary>
    protected ILocator Thanks => Page.Locator("pulse-survey [role=status]:not(:empty)");

    protected ILocator Comment => Page.Locator("pulse-survey textarea");

    protected ILocator PrimaryButton => Page.Locator("pulse-survey button.b");

    protected ILocator CloseButton => Page.Locator("pulse-survey button.x");

    /// <summary>Presses Tab until focus enters the survey (the host page's own controls come first).</summary>
    protected async Task TabIntoSurvey()
    {
        for (var i = 0; i < 20; i++)
        {
            await Page.Keyboard.PressAsync("Tab");
            if (await Page.EvaluateAsync<bool>("document.activeElement && document.activeElement.localName === 'pulse-survey'"))
                return;
        }
        Assert.Fail("Tab never reached the survey.");
    }

    /// <summary>What has focus inside the survey: "input:0", "textarea", "button.x"…; "" when focus is outside.</summary>
    protected Task<string> FocusInSurvey() => Page.EvaluateAsync<string>("""
        (() => {
          const host = document.activeElement;
          if (!host || host.localName !== 'pulse-survey') return '';
          const e = host.shadowRoot.activeElement;
          return !e ? '' : e.localName === 'input' ? 'input:' + e.value : e.localName + (e.className ? '.' + e.className : '');
        })()
        """);

    /// <summary>The response stored for the user's latest display, straight from the database.</summary>
    protected StoredResponse? ResponseOf(string workspaceId, string userId)
    {
        using var c = Api.Db.Open();
        return c.QuerySingleOrDefault<StoredResponse>(
            "SELECT score AS Score, category AS Category, comment AS Comment FROM responses WHERE workspace_id = @workspaceId AND user_id = @userId ORDER BY id DESC LIMIT 1",
            new { workspaceId, userId });
    }

    /// <summary>How many displays of the user were declined, and how many there are.</summary>
    protected (long Declined, long Displays) DisplaysOf(string workspaceId, string userId)
    {
        using var c = Api.Db.Open();
        return c.QuerySingle<(long, long)>(
            "SELECT COUNT(declined_at), COUNT(*) FROM displays WHERE workspace_id = @workspaceId AND user_id = @userId",
            new { workspaceId, userId });
    }

    protected sealed record StoredResponse(long Score, string Category, string? Comment);
}
