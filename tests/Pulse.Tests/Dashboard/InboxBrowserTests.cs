using System.Text.Json;
using Microsoft.Playwright;
using Pulse.Api.Access;
using Pulse.Api.Dashboard;
using Pulse.Api.Workspaces;
using Pulse.Tests.Support;

namespace Pulse.Tests.Dashboard;

/// <summary>
/// The follow-up side of the dashboard in Chromium against the real API on the seeded demo story: a
/// CSM signs in, sees their own open follow-ups first and then the unassigned ones, and assigns,
/// notes and closes one with the keyboard alone; a stale edit on the response page is refused (412),
/// reloaded and said; a viewer gets no action; axe finds nothing on the Inbox and the response page,
/// light and dark.
/// </summary>
[Category("Browser")]
public sealed class InboxBrowserTests : DashboardPage
{
    protected override int Responses => 1500;

    static readonly DemoCsm Dana = DemoFollowUps.Csms[0];

    async Task<JsonElement> FollowUp(string id) => await Get($"/v1/follow-ups/{id}");

    async Task<string[]> Ids(string query) =>
        [.. (await Get("/v1/follow-ups?status=open,in_progress&sort=dueAt&limit=100&" + query)).GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetString()!)];

    async Task<string[]> Rows(string list, IPage? page = null) =>
        [.. await (page ?? Page).Locator($"#{list} .inbox-row").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.id)")];

    /// <summary>The follow-up the keyboard focus is on.</summary>
    async Task<string?> Focused() => await Page.EvaluateAsync<string?>("() => document.activeElement?.closest('.inbox-row')?.dataset.id ?? null");

    /// <summary>An open follow-up of someone else, unassigned through the API, so the Inbox has one to take.</summary>
    async Task<string> AnUnassignedOne()
    {
        var tom = DemoFollowUps.Csms.Single(c => c.Name == "Tom Becker");
        var id = (await Ids($"assignee={Uri.EscapeDataString(tom.Email)}")).First();
        var version = (await FollowUp(id)).GetProperty("version").GetInt64();
        var request = new HttpRequestMessage(HttpMethod.Patch, $"/v1/follow-ups/{id}") { Content = Json.Body("""{"assignee":null}""") };
        request.Headers.IfMatch.Add(new($"\"{version}\""));
        (await Api.SendAsync(request)).EnsureSuccessStatusCode();
        return id;
    }

    [Test]
    public async Task ACsm_SeesTheirsFirst_ThenUnassigned_AndAssignsNotesAndClosesWithTheKeyboardAlone()
    {
        var target = await AnUnassignedOne();
        await SignIn("inbox", email: Dana.Email, password: DemoWorkspace.Owner.Password);
        var mine = await Rows("inbox-mine");
        var unassigned = await Rows("inbox-unassigned");
        var overdueMarked = await Page.Locator("#inbox-mine .inbox-row.overdue").CountAsync();
        var help = await Page.TextContentAsync("#inbox-shortcuts");
        var expectedMine = await Ids($"assignee={Uri.EscapeDataString(Dana.Email)}");
        var unassignedExpected = await Ids("assignee=none");
        var expectedOverdue = (await Get($"/v1/follow-ups?status=open,in_progress&overdue=true&limit=100&assignee={Uri.EscapeDataString(Dana.Email)}"))
            .GetProperty("items").GetArrayLength();

        // j moves down to the unassigned follow-up, without a mouse.
        await Page.Keyboard.PressAsync("j");
        for (var i = 0; i < mine.Length + unassigned.Length && await Focused() != target; i++)
            await Page.Keyboard.PressAsync("j");
        Assert.That(await Focused(), Is.EqualTo(target), "j reaches every row");
        var outline = await Page.EvaluateAsync<string>("() => getComputedStyle(document.activeElement).outlineStyle");

        // a: assign to me; the row moves to "Assigned to you" and keeps the focus.
        await AndRender("inbox", () => Page.Keyboard.PressAsync("a"));
        var assigned = await FollowUp(target);
        var movedToMine = (await Rows("inbox-mine")).Contains(target);
        var focusKept = await Focused();

        // n: a note, written and sent from the keyboard (Ctrl+Enter).
        await Page.Keyboard.PressAsync("n");
        await Page.Locator("dialog.follow-up-dialog[open] textarea:focus").WaitForAsync();
        await Page.Keyboard.TypeAsync("Called their admin; fix ships Friday.");
        await AndRender("inbox", () => Page.Keyboard.PressAsync("Control+Enter"));
        var noted = await FollowUp(target);

        // c: close with an outcome chosen by arrow key, confirmed with Tab and Enter.
        Assert.That(await Focused(), Is.EqualTo(target), "focus is back on the row after the note");
        await Page.Keyboard.PressAsync("c");
        await Page.Locator("dialog.follow-up-dialog[open] select:focus").WaitForAsync();
        await Page.Keyboard.PressAsync("ArrowDown");
        await Page.Keyboard.PressAsync("Tab");
        await AndRender("inbox", () => Page.Keyboard.PressAsync("Enter"));
        var closed = await FollowUp(target);
        var status = await Page.TextContentAsync("#inbox-status");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(mine, Is.EqualTo(expectedMine), "the signed-in CSM's open follow-ups first, soonest due first");
            Assert.That(mine, Is.Not.Empty);
            Assert.That(unassigned, Does.Contain(target));
            Assert.That(unassigned, Is.EqualTo(unassignedExpected), "then the unassigned ones, soonest due first");
            Assert.That(overdueMarked, Is.EqualTo(expectedOverdue), "overdue ones are marked");
            Assert.That(help, Does.Contain("j").And.Contain("assign it to me").And.Contain("add a note").And.Contain("close it"));
            Assert.That(outline, Is.Not.EqualTo("none"), "the focused row shows its focus");
            Assert.That(assigned.GetProperty("assignee").GetProperty("email").GetString(), Is.EqualTo(Dana.Email));
            Assert.That(movedToMine, Is.True);
            Assert.That(focusKept, Is.EqualTo(target));
            Assert.That(noted.GetProperty("notes").EnumerateArray().Select(n => n.GetProperty("text").GetString()),
                Does.Contain("Called their admin; fix ships Friday."));
            Assert.That(noted.GetProperty("notes").EnumerateArray().Last().GetProperty("author").GetProperty("label").GetString(), Is.EqualTo(Dana.Email));
            Assert.That(closed.GetProperty("status").GetString(), Is.EqualTo("closed"));
            Assert.That(closed.GetProperty("outcome").GetString(), Is.EqualTo("no_reply"), "ArrowDown chose the second outcome");
            Assert.That(await Rows("inbox-mine"), Does.Not.Contain(target), "a closed follow-up leaves the Inbox");
            Assert.That(status, Does.Contain("Closed"));
            Assert.That(Current.Errors, Is.Empty);
        }
    }

    [Test]
    public async Task AStaleEdit_OnTheResponsePage_IsRefused_ReloadedAndSaid()
    {
        var id = (await Get("/v1/follow-ups?status=open&limit=1")).GetProperty("items")[0].GetProperty("id").GetString()!;
        var item = await FollowUp(id);
        var responseId = item.GetProperty("response").GetProperty("id").GetInt64();
        await SignIn($"responses/{responseId}");
        var heading = await Page.TextContentAsync("#view h1");
        var history = await Page.TextContentAsync("#history-trend");

        // Someone else changes it meanwhile.
        var request = new HttpRequestMessage(HttpMethod.Patch, $"/v1/follow-ups/{id}") { Content = Json.Body("""{"dueAt":"2030-01-02T17:00:00Z"}""") };
        (await Api.SendAsync(request)).EnsureSuccessStatusCode();

        await Page.SelectOptionAsync("#fu-status", "in_progress");
        await AndRender("response", () => Page.ClickAsync("#follow-up-form button[type=submit]"));
        var said = await Page.TextContentAsync("#response-status");
        var due = await Page.TextContentAsync("#follow-up-facts");
        var after = await FollowUp(id);

        // Applied again on the fresh version, it is saved.
        await Page.SelectOptionAsync("#fu-status", "in_progress");
        await AndRender("response", () => Page.ClickAsync("#follow-up-form button[type=submit]"));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(heading, Does.Contain(item.GetProperty("response").GetProperty("userId").GetString()));
            Assert.That(history, Does.Contain("answer"));
            Assert.That(said, Does.Contain("Someone changed this follow-up"));
            Assert.That(due, Does.Contain("2030-01-02"), "the page shows their change");
            Assert.That(after.GetProperty("status").GetString(), Is.EqualTo(item.GetProperty("status").GetString()), "the stale change was not saved");
            Assert.That((await FollowUp(id)).GetProperty("status").GetString(), Is.EqualTo("in_progress"));
            Assert.That(await Page.TextContentAsync("#response-status"), Does.Contain("saved"));
        }
    }

    [Test]
    public async Task AViewer_ReadsTheInbox_WithoutActions_AndTheKeysChangeNothing()
    {
        var email = $"viewer-{Guid.NewGuid():N}@acme.test";
        App.AddMember(DemoWorkspace.Id, email, Roles.Viewer);
        var before = await Get("/v1/follow-ups?assignee=none&status=open,in_progress&limit=100");
        await SignIn("inbox", email: email, password: TeamData.Password);
        var rows = await Page.Locator(".inbox-row").CountAsync();
        await Page.Keyboard.PressAsync("j");
        await Page.Keyboard.PressAsync("a");
        await Page.Keyboard.PressAsync("c");
        var after = await Get("/v1/follow-ups?assignee=none&status=open,in_progress&limit=100");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(rows, Is.GreaterThan(0), "viewers read the unassigned follow-ups");
            Assert.That(await Page.Locator("#view button[data-act], dialog").CountAsync(), Is.Zero, "no action for a role that cannot act");
            Assert.That(await Page.TextContentAsync("#inbox-shortcuts"), Does.Contain("viewer").And.Not.Contain("assign it to me"));
            Assert.That(after.GetRawText(), Is.EqualTo(before.GetRawText()));
        }
    }

    [TestCase("light")]
    [TestCase("dark")]
    public async Task TheInbox_AndTheResponsePage_HaveNoAxeViolations(string scheme)
    {
        var page = await OpenAsync(new() { ColorScheme = scheme == "dark" ? ColorScheme.Dark : ColorScheme.Light, ViewportSize = new() { Width = 1280, Height = 900 } });
        await SignIn("inbox", page, Dana.Email, DemoWorkspace.Owner.Password);
        await page.Keyboard.PressAsync("j");
        await AssertAxeClean(page, $"inbox ({scheme})");
        await Shot($"inbox-{scheme}", fullPage: false, page: page);
        await page.Keyboard.PressAsync("n");
        await page.Locator("dialog.follow-up-dialog[open]").WaitForAsync();
        await AssertAxeClean(page, $"note dialog ({scheme})");
        await page.Keyboard.PressAsync("Escape");

        // A closed follow-up with notes: the thread, the history and the account are all on the page.
        var closed = (await Get($"/v1/follow-ups?status=closed&assignee={Uri.EscapeDataString(Dana.Email)}&limit=1")).GetProperty("items")[0];
        await Go($"#/responses/{closed.GetProperty("response").GetProperty("id").GetInt64()}", page);
        var notes = await page.Locator("#follow-up-notes li").CountAsync();
        await AssertAxeClean(page, $"response page ({scheme})");
        await Shot($"response-{scheme}", page: page);
        await Go("#/comments", page);
        await AssertAxeClean(page, $"comments with bulk tags ({scheme})");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(notes, Is.GreaterThanOrEqualTo(2), "a closed seeded follow-up has its notes");
            Assert.That(await page.EvaluateAsync<string[]>("window.__csp"), Is.Empty);
            Assert.That(Current.Errors, Is.Empty);
        }
    }

    [Test]
    public async Task Comments_TagTheSelectedResponses_InBulk()
    {
        await SignIn("comments?category=detractor");
        var boxes = Page.Locator(".select-response");
        var ids = new[] { await boxes.Nth(0).GetAttributeAsync("value"), await boxes.Nth(1).GetAttributeAsync("value") };
        await boxes.Nth(0).CheckAsync();
        await boxes.Nth(1).CheckAsync();
        await Page.FillAsync("#bulk-tag", "pricing-q4");
        await Page.ClickAsync("#bulk-tags button[type=submit]");
        await Page.Locator("#bulk-status:has-text('Tagged 2')").WaitForAsync();
        var tagged = (await Get("/v1/responses?tag=pricing-q4&limit=10")).GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetInt64().ToString(Inv)).Order().ToArray();
        var shown = await Page.Locator("#comments-list .tags:has-text('pricing-q4')").CountAsync();
        Assert.That(tagged, Is.EqualTo(ids.Order().ToArray()));
        Assert.That(shown, Is.EqualTo(2));
    }

    [Test]
    public async Task ACsm_AssignsAFollowUp_ToAnotherMember_PickedFromTheMembers()
    {
        var tom = DemoFollowUps.Csms.Single(c => c.Name == "Tom Becker");
        var item = (await Get($"/v1/follow-ups?status=open,in_progress&assignee={Uri.EscapeDataString(Dana.Email)}&limit=1")).GetProperty("items")[0];
        var id = item.GetProperty("id").GetString()!;
        await SignIn($"responses/{item.GetProperty("response").GetProperty("id").GetInt64()}", email: Dana.Email, password: DemoWorkspace.Owner.Password);
        var offered = await Page.Locator("#fu-assignees option").EvaluateAllAsync<string[]>("os => os.map(o => o.value)");
        var listed = (await Get("/v1/members")).GetProperty("items").EnumerateArray().Select(m => m.GetProperty("email").GetString()!).ToArray();
        await Page.FillAsync("#fu-assignee", tom.Email);
        await AndRender("response", () => Page.ClickAsync("#follow-up-form button[type=submit]"));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(offered, Is.EquivalentTo(listed).And.Contain(tom.Email), "an analyst is offered every member (members:read)");
            Assert.That(await Page.GetAttributeAsync("#fu-assignee", "list"), Is.EqualTo("fu-assignees"));
            Assert.That((await FollowUp(id)).GetProperty("assignee").GetProperty("email").GetString(), Is.EqualTo(tom.Email));
        }
    }

    [Test]
    public async Task TheOverview_SaysWhetherTheLoopIsClosed_WithTheApisNumbers()
    {
        await SignIn("overview");
        var range = await Range();
        var m = await Get($"/v1/metrics/follow-ups?{range}");
        static string Pct(JsonElement share) => (share.GetProperty("rate").GetDouble() * 100).ToString("0.0", Inv) + "%";
        var card = await Page.TextContentAsync("#loop-card");
        var sla = await Page.TextContentAsync("#loop-card [data-kpi=sla] .kpi-value");
        var closed = await Page.TextContentAsync("#loop-card [data-kpi=closed] .kpi-value");
        var followUps = await Page.TextContentAsync("#loop-card [data-kpi=followUps] .kpi-value");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(m.GetProperty("followUps").GetInt32(), Is.Positive, "the demo has follow-ups");
            Assert.That(followUps, Is.EqualTo(m.GetProperty("followUps").GetInt32().ToString("N0", Inv)));
            Assert.That(sla, Is.EqualTo(Pct(m.GetProperty("touchedWithinSla"))));
            Assert.That(closed, Is.EqualTo(Pct(m.GetProperty("closed"))));
            Assert.That(card, Does.Contain($"Touched within {m.GetProperty("slaHours").GetInt32()} h").And.Contain("95% interval"));
            Assert.That(await Page.TextContentAsync("#loop-verdict"), Does.StartWith("Recovery:"));
        }
    }

    [Test]
    public async Task Accounts_ShowHealthBands_TheirParts_AndFilterByBand_AsTheApiSays()
    {
        await SignIn("accounts");
        var range = await Range();
        var items = (await Get($"/v1/accounts?{range}&limit=1000&npsThreshold=0.1")).GetProperty("items").EnumerateArray().ToList();
        static string? Band(JsonElement i) => i.GetProperty("health").GetProperty("band").ValueKind == JsonValueKind.String ? i.GetProperty("health").GetProperty("band").GetString() : null;
        var counts = new[] { "healthy", "watch", "at_risk" }.ToDictionary(b => b, b => items.Count(i => Band(i) == b));
        var legend = await Page.Locator("#health-bands li").EvaluateAllAsync<string[][]>("ls => ls.map(l => [l.dataset.band, l.textContent])");
        var sample = items.First(i => Band(i) is not null);
        var row = Page.Locator($"#accounts-table tbody tr[data-account='{sample.GetProperty("accountId").GetString()}']");
        if (await Page.Locator("#accounts-show-all").CountAsync() > 0)
            await Page.ClickAsync("#accounts-show-all");
        await row.Locator("td.health summary").ClickAsync();
        var parts = await row.Locator("td.health details").TextContentAsync();
        var score = await row.Locator(".health-score").TextContentAsync();
        var band = counts.OrderByDescending(c => c.Value).First().Key;
        await AndRender("accounts", () => Page.SelectOptionAsync("#accounts-band", band));
        var filtered = await Page.Locator("#accounts-table tbody tr[data-account]").CountAsync();
        var apiFiltered = (await Get($"/v1/accounts?{range}&limit=1000&npsThreshold=0.1&band={band}")).GetProperty("items").GetArrayLength();
        using (Assert.EnterMultipleScope())
        {
            foreach (var (b, text) in legend.Select(l => (l[0], l[1])))
                Assert.That(text, Does.Contain($" {counts[b]} "), $"the {b} count");
            Assert.That(score, Is.EqualTo(sample.GetProperty("health").GetProperty("score").GetInt32().ToString(Inv)));
            Assert.That(parts, Does.Contain("NPS, last 90 days").And.Contain("points × weight").And.Contain("Overdue detractor follow-ups"));
            Assert.That(filtered, Is.EqualTo(apiFiltered).And.Positive);
            Assert.That(Page.Url, Does.Contain($"band={band}"));
            Assert.That(await Page.Locator("#accounts-table tbody .badge[class*=band-]:not(.band-low)").AllTextContentsAsync(),
                Has.All.EqualTo(band switch { "healthy" => "Healthy", "watch" => "Watch", _ => "At risk" }));
        }
    }
}
