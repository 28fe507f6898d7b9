using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Microsoft.Playwright;
using Pulse.Api.Dashboard;
using Pulse.Api.Workspaces;
using Pulse.Tests.Support;

namespace Pulse.Tests.Dashboard;

/// <summary>
/// What the fixtures of the dashboard's result views share: the demo workspace seeded with 5,000 answers, and
/// four more through the public endpoints — an answer whose comment and account name carry markup, an account with a
/// very long name, and an account at exactly NPS 0 with a high ARR. Each fixture gets its own API, database and
/// Chromium, so the fixtures run in parallel (their slowest tests, axe over every view, take minutes each).
/// </summary>
public abstract class DashboardResultsPage : DashboardPage
{
    protected const string Xss = "<img src=x onerror=alert(1)>";
    protected const string LongName = "The Very Long-Named International Holding Company of Greater Springfield Incorporated";
    protected static readonly string[] Views = ["overview", "segments", "accounts", "comments", "inbox", "surveys", "webhooks", "keys", "settings", "setup", "team", "audit", "email"];

    protected override int Responses => 5000;

    [OneTimeSetUp]
    public async Task AddAnswers()
    {
        await AnswerThroughTheApi("xss-user", 3, "Export is broken " + Xss, new { plan = "enterprise", accountId = "evil", accountName = "Evil <b>Corp</b>", arr = 500 });
        await AnswerThroughTheApi("long-1", 9, null, new { plan = "premium", accountId = "acc_long", accountName = LongName, arr = 30000 });
        // An account at exactly NPS 0 with high ARR: one promoter, one detractor.
        await AnswerThroughTheApi("zero-1", 10, "Love it", new { plan = "enterprise", accountId = "acc_zero", accountName = "Zero Balance Ltd", arr = 900000 });
        await AnswerThroughTheApi("zero-2", 0, "Hate it", new { plan = "enterprise", accountId = "acc_zero", accountName = "Zero Balance Ltd", arr = 900000 });
    }

    /// <summary>A real answer through the public endpoints: a forced eligibility call (secret key), then the response.</summary>
    protected async Task AnswerThroughTheApi(string userId, int score, string? comment, object traits)
    {
        var eligibility = await Api.PostAsJsonAsync("/v1/eligibility", new { user = new { id = userId, createdAt = "2020-01-01T00:00:00Z", traits }, force = true });
        var token = (await eligibility.ReadJson<JsonElement>()).GetProperty("displayToken").GetString();
        var saved = await Api.PostAsJsonAsync("/v1/responses", new { displayToken = token, score, comment });
        Assert.That((int)saved.StatusCode, Is.EqualTo(201), await saved.Content.ReadAsStringAsync());
    }
}
