using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Dapper;
using Pulse.Api.Access;
using Pulse.Api.FollowUps;
using Pulse.Api.Responses;
using Pulse.Api.Storage;
using Pulse.Api.Team;
using Pulse.Api.Workspaces;
using Pulse.Tests.Support;

namespace Pulse.Tests.FollowUps;

/// <summary>
/// Follow-ups over real HTTP on a real SQLite file: detractors open one in the same write as the
/// answer, due in business days; PATCH changes status, outcome, assignee and due date with an ETag
/// (412 when stale); notes are appended; the list filters, sorts and pages; every change is in the
/// audit log; other workspaces see nothing; erasure removes them.
/// </summary>
[TestFixture(StorageProvider.Sqlite)]
[TestFixture(StorageProvider.Postgres, Category = TestCategories.Process)]
public sealed class FollowUpApiTests(StorageProvider provider) : FollowUpFixture(provider)
{
    string _danaId = null!;

    [SetUp]
    public void AddMembers()
    {
        _danaId = App.AddMember(Workspace.WorkspaceId, "dana@acme.test", Roles.Analyst);
        App.AddMember(Workspace.WorkspaceId, "vic@acme.test", Roles.Viewer);
    }

    async Task<FollowUpPage> List(string query = "", HttpClient? client = null) =>
        await (await (client ?? Key).GetAsync("/v1/follow-ups" + query)).ReadJson<FollowUpPage>();

    async Task<FollowUpItem> Only(string query = "") => (await List(query)).Items.Single();

    static HttpRequestMessage PatchRequest(string id, string json, string? ifMatch = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Patch, $"/v1/follow-ups/{id}") { Content = Json.Body(json) };
        if (ifMatch is not null)
            request.Headers.IfMatch.Add(EntityTagHeaderValue.Parse(ifMatch));
        return request;
    }

    string AuditActions(string target)
    {
        using var c = App.Db.Open();
        return string.Join(",", c.Query<string>("SELECT action FROM audit_log WHERE target = @Target ORDER BY id", new { Target = target }));
    }

    [Test]
    public async Task ADetractor_OpensAFollowUp_InTheSameWriteAsTheAnswer_DueOneBusinessDayLater_APromoterDoesNot()
    {
        var detractor = await Answer("u1", 3, """{"csm":"Dana"}""", "Too slow");
        await Answer("u2", 9);

        var item = await Only();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(item.Response.Id, Is.EqualTo(detractor));
            Assert.That(item.Response.Comment, Is.EqualTo("Too slow"));
            Assert.That(item.Response.Traits.GetProperty("csm").GetString(), Is.EqualTo("Dana"));
            Assert.That(item.Status, Is.EqualTo("open"));
            Assert.That(item.Assignee, Is.Null);
            Assert.That(item.DueAt, Is.EqualTo(PulseFactory.DefaultNow.AddDays(1)), "Monday noon → Tuesday noon");
            Assert.That(item.Overdue, Is.False);
            Assert.That(item.Version, Is.EqualTo(1));
            Assert.That(App.Count("follow_ups"), Is.EqualTo(1));
            Assert.That(AuditActions(item.Id), Is.EqualTo("follow_up.opened"));
        }
    }

    [Test]
    public void BusinessDays_SkipTheWeekend()
    {
        static DateTimeOffset Due(DateTimeOffset from, int days) => DateTimeOffset.FromUnixTimeMilliseconds(FollowUpRules.AddBusinessDays(from.ToUnixTimeMilliseconds(), days));
        var friday = new DateTimeOffset(2026, 3, 6, 15, 0, 0, TimeSpan.Zero);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Due(friday, 1), Is.EqualTo(friday.AddDays(3)), "Friday → Monday");
            Assert.That(Due(friday, 2), Is.EqualTo(friday.AddDays(4)));
            Assert.That(Due(friday.AddDays(1), 1), Is.EqualTo(friday.AddDays(3)), "Saturday → Monday");
            Assert.That(Due(friday.AddDays(-1), 1), Is.EqualTo(friday), "Thursday → Friday");
            Assert.That(Due(friday, 0), Is.EqualTo(friday));
            Assert.That(Due(friday, 5), Is.EqualTo(friday.AddDays(7)));
        }
    }

    [Test]
    public async Task TheSettings_ChooseWhichCategoriesOpen_AndTheDueDays_BadSettingsChangeNothing()
    {
        var defaults = await (await Key.GetAsync("/v1/follow-ups/settings")).ReadJson<FollowUpSettings>();
        Assert.That(defaults, Is.EqualTo(FollowUpRules.Defaults).Using<FollowUpSettings>((a, b) => a.OpenCategories.SequenceEqual(b.OpenCategories)
            && a.DueBusinessDays == b.DueBusinessDays && a.AssignmentRules.Count == b.AssignmentRules.Count && a.FallbackAssignee == b.FallbackAssignee));

        var bad = await Key.PutAsync("/v1/follow-ups/settings", Json.Body("""{"openCategories":["angry"],"dueBusinessDays":2}"""));
        var problem = await bad.AssertProblem(400);
        Assert.That(problem.GetProperty("errors").TryGetProperty("openCategories", out _), Is.True);

        var saved = await (await Key.PutAsync("/v1/follow-ups/settings", Json.Body("""{"openCategories":["detractor","passive"],"dueBusinessDays":2}""")))
            .ReadJson<FollowUpSettings>();
        Assert.That(saved.OpenCategories, Is.EqualTo(new[] { "detractor", "passive" }));
        await Answer("u1", 7);
        await Answer("u2", 10);
        var passive = await Only();
        Assert.That(passive.Response.Category, Is.EqualTo("passive"));
        Assert.That(passive.DueAt, Is.EqualTo(PulseFactory.DefaultNow.AddDays(2)));

        await (await Key.PutAsync("/v1/follow-ups/settings", Json.Body("""{"openCategories":[]}"""))).ReadJson<FollowUpSettings>();
        await Answer("u3", 0);
        Assert.That(App.Count("follow_ups"), Is.EqualTo(1), "[] opens none");
        Assert.That(AuditActions(Workspace.WorkspaceId), Does.Contain("follow_up.settings_updated"));
    }

    [Test]
    public async Task AssignmentRules_TheFirstMatchingRuleAssigns_OnTheDisplaysSnapshot_ElseTheFallback()
    {
        var leadId = App.AddMember(Workspace.WorkspaceId, "lead@acme.test", Roles.Admin);
        var fallbackId = App.AddMember(Workspace.WorkspaceId, "triage@acme.test", Roles.Analyst);
        var saved = await (await Key.PutAsync("/v1/follow-ups/settings", Json.Body("""
            {"assignmentRules":[
               {"when":[{"trait":"csm","op":"eq","value":"Dana Lee"}],"assignee":"dana@acme.test"},
               {"when":[{"trait":"arr","op":"gte","value":100000},{"trait":"plan","op":"in","values":["enterprise","premium"]}],"assignee":"lead@acme.test"}],
             "fallbackAssignee":"triage@acme.test"}
            """))).ReadJson<FollowUpSettings>();
        Assert.That(saved.AssignmentRules.Select(r => r.Assignee), Is.EqualTo(new[] { _danaId, leadId }), "emails become member ids");
        Assert.That(saved.FallbackAssignee, Is.EqualTo(fallbackId));

        await Answer("dana", 2, """{"csm":"dana lee","arr":500000,"plan":"enterprise"}""");
        await Answer("big", 2, """{"csm":"Lee","arr":250000,"plan":"enterprise"}""");
        await Answer("bigfree", 2, """{"arr":250000,"plan":"free"}""");
        await Answer("none", 2);
        async Task<Dictionary<string, string?>> Assignees() => (await List()).Items.ToDictionary(i => i.Response.UserId, i => i.Assignee?.Email);
        Assert.That(await Assignees(), Is.EqualTo(new Dictionary<string, string?>
        {
            ["dana"] = "dana@acme.test", ["big"] = "lead@acme.test", ["bigfree"] = "triage@acme.test", ["none"] = "triage@acme.test",
        }));

        using (var c = App.Db.Open())
            c.Execute("DELETE FROM workspace_members WHERE member_id = @Id", new { Id = _danaId });
        await Answer("dana2", 1, """{"csm":"Dana Lee"}""");
        Assert.That((await Assignees())["dana2"], Is.EqualTo("triage@acme.test"), "a rule whose member left the workspace is skipped");

        await (await Key.PutAsync("/v1/follow-ups/settings", Json.Body("""{"fallbackAssignee":null}"""))).ReadJson<FollowUpSettings>();
        await Answer("none2", 1);
        Assert.That((await Assignees())["none2"], Is.Null);
    }

    [Test]
    public async Task AssignmentRules_BadRulesAre400_AndChangeNothing()
    {
        foreach (var (body, field) in new[]
                 {
                     ("""{"assignmentRules":[{"when":[{"trait":"csm","op":"like","value":"D"}],"assignee":"dana@acme.test"}]}""", "assignmentRules[0].when[0].op"),
                     ("""{"assignmentRules":[{"when":[{"trait":"arr","op":"gte","value":"big"}],"assignee":"dana@acme.test"}]}""", "assignmentRules[0].when[0].value"),
                     ("""{"assignmentRules":[{"when":[],"assignee":"dana@acme.test"}]}""", "assignmentRules[0].when"),
                     ("""{"assignmentRules":[{"when":[{"trait":"csm","op":"exists"}]}]}""", "assignmentRules[0].assignee"),
                     ("""{"assignmentRules":[{"when":[{"trait":"csm","op":"exists"}],"assignee":"eve@other.test"}]}""", "assignmentRules[0].assignee"),
                     ("""{"fallbackAssignee":"nobody@acme.test"}""", "fallbackAssignee"),
                 })
        {
            var problem = await (await Key.PutAsync("/v1/follow-ups/settings", Json.Body(body))).AssertProblem(400);
            Assert.That(problem.GetProperty("errors").TryGetProperty(field, out _), Is.True, body + " → " + problem);
        }
        var settings = await (await Key.GetAsync("/v1/follow-ups/settings")).ReadJson<FollowUpSettings>();
        Assert.That((settings.AssignmentRules.Count, settings.FallbackAssignee), Is.EqualTo((0, (string?)null)));
        Assert.That(App.Count("follow_up_settings"), Is.Zero);
    }

    [Test]
    public async Task AScoreChangedIntoDetractor_OpensOne_OnlyOnce()
    {
        var (_, token) = App.CreateDisplay(Workspace.WorkspaceId, "u1");
        async Task Post(int score) => await (await Widget.PostAsync("/v1/responses", Json.Of(new { displayToken = token, score }))).Content.ReadAsStringAsync();
        await Post(9);
        Assert.That(App.Count("follow_ups"), Is.Zero);
        await Post(4);
        Assert.That(App.Count("follow_ups"), Is.EqualTo(1));
        await Post(9);
        await Post(2);
        Assert.That(App.Count("follow_ups"), Is.EqualTo(1));
    }

    [Test]
    public async Task Patch_ChangesStatusAssigneeAndDueDate_AnswersTheNewStateAndETag_AndAStaleETagIs412AndChangesNothing()
    {
        await Answer("u1", 2);
        var item = await Only();
        var read = await Key.GetAsync($"/v1/follow-ups/{item.Id}");
        var etag = read.Headers.ETag!.Tag;
        Assert.That(etag, Is.EqualTo("\"1\""));

        var due = new DateTimeOffset(2026, 3, 4, 17, 0, 0, TimeSpan.Zero);
        var changed = await Key.SendAsync(PatchRequest(item.Id, $$"""{"status":"in_progress","assignee":"dana@acme.test","dueAt":"{{due:O}}"}""", etag));
        var updated = await changed.ReadJson<FollowUpItem>();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(updated.Status, Is.EqualTo("in_progress"));
            Assert.That(updated.Assignee, Is.EqualTo(new FollowUpMember(_danaId, "dana@acme.test", "dana")));
            Assert.That(updated.DueAt, Is.EqualTo(due));
            Assert.That(updated.Version, Is.EqualTo(2));
            Assert.That(changed.Headers.ETag!.Tag, Is.EqualTo("\"2\""));
        }

        var stale = await Key.SendAsync(PatchRequest(item.Id, """{"status":"closed","outcome":"resolved"}""", etag));
        await stale.AssertProblem(412);
        var after = await (await Key.GetAsync($"/v1/follow-ups/{item.Id}")).ReadJson<FollowUpItem>();
        Assert.That(after.Status, Is.EqualTo("in_progress"), "a stale edit changes nothing");

        var closed = await (await Key.SendAsync(PatchRequest(item.Id, """{"status":"closed","outcome":"resolved","assignee":null}""", "\"2\"")))
            .ReadJson<FollowUpItem>();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(closed.Status, Is.EqualTo("closed"));
            Assert.That(closed.Outcome, Is.EqualTo("resolved"));
            Assert.That(closed.ClosedAt, Is.EqualTo(PulseFactory.DefaultNow));
            Assert.That(closed.Assignee, Is.Null);
        }
        var reopened = await (await Key.SendAsync(PatchRequest(item.Id, """{"status":"open"}"""))).ReadJson<FollowUpItem>();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(reopened.Outcome, Is.Null);
            Assert.That(reopened.ClosedAt, Is.Null);
            Assert.That(reopened.Version, Is.EqualTo(4));
        }
        var same = await (await Key.SendAsync(PatchRequest(item.Id, """{"status":"open"}"""))).ReadJson<FollowUpItem>();
        Assert.That(same.Version, Is.EqualTo(4), "a change to the same state changes nothing");
        Assert.That(AuditActions(item.Id), Is.EqualTo("follow_up.opened,follow_up.updated,follow_up.updated,follow_up.updated"));
        using var c = App.Db.Open();
        var entry = c.QueryFirst<(string Before, string After, string Actor)>(
            "SELECT before, after, actor_type FROM audit_log WHERE target = @Id AND action = 'follow_up.updated' ORDER BY id", new { item.Id });
        Assert.That(entry.Before, Does.Contain("\"open\""));
        Assert.That(entry.After, Does.Contain("\"in_progress\"").And.Contain("dana@acme.test"));
        Assert.That(entry.Actor, Is.EqualTo("key"));
    }

    [Test]
    public async Task Patch_BadInput_Is400_AnUnknownIdIs404_AndNothingChanges()
    {
        await Answer("u1", 2);
        var item = await Only();
        var outsider = App.CreateWorkspace("Other");
        var strangerId = App.AddMember(outsider.WorkspaceId, "eve@other.test", Roles.Owner);
        foreach (var (body, field) in new[]
                 {
                     ("""{"status":"done"}""", "status"),
                     ("""{"outcome":"resolved"}""", "outcome"),
                     ("""{"status":"closed","outcome":"happy"}""", "outcome"),
                     ("""{"assignee":"eve@other.test"}""", "assignee"),
                     ($$"""{"assignee":"{{strangerId}}"}""", "assignee"),
                     ("""{"assignee":""}""", "assignee"),
                     ("""{"dueAt":"0001-01-01T00:00:00Z"}""", "dueAt"),
                 })
        {
            var problem = await (await Key.SendAsync(PatchRequest(item.Id, body))).AssertProblem(400);
            Assert.That(problem.TryGetProperty("errors", out var errors) && errors.TryGetProperty(field, out _), Is.True, body + " → " + problem);
        }
        var unknown = await (await Key.SendAsync(PatchRequest(item.Id, """{"priority":"high"}"""))).AssertProblem(400);
        Assert.That(unknown.GetProperty("detail").GetString(), Does.Contain("'priority'").And.Not.Contain("has"));
        await (await Key.SendAsync(PatchRequest("fu_nope", """{"status":"closed"}"""))).AssertProblem(404);
        var unchanged = await Only();
        Assert.That((unchanged.Version, unchanged.Status), Is.EqualTo((1L, "open")));
    }

    [Test]
    public async Task Notes_AreAppended_ConcurrentNotesAreAllKept_AndTheETagStays()
    {
        await Answer("u1", 2);
        var item = await Only();
        var dana = await App.MemberClient("dana@acme.test");
        var posts = Enumerable.Range(0, 8).Select(i => (i % 2 == 0 ? dana : Key)
            .PostAsync($"/v1/follow-ups/{item.Id}/notes", Json.Of(new { text = $"Note {i}\nsecond line" }))).ToList();
        foreach (var post in posts)
            Assert.That((await post).StatusCode, Is.EqualTo(HttpStatusCode.Created));
        var thread = await (await Key.GetAsync($"/v1/follow-ups/{item.Id}")).ReadJson<FollowUpItem>();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(thread.Notes.Select(n => n.Text).Order(), Is.EqualTo(Enumerable.Range(0, 8).Select(i => $"Note {i}\nsecond line")));
            Assert.That(thread.Notes.Count(n => n.Author.Type == "member" && n.Author.Label == "dana@acme.test"), Is.EqualTo(4));
            Assert.That(thread.Notes.Count(n => n.Author.Type == "key"), Is.EqualTo(4));
            Assert.That(thread.Version, Is.EqualTo(1), "notes do not invalidate an edit in progress");
            Assert.That(AuditActions(item.Id).Split(',').Count(a => a == "follow_up.note_added"), Is.EqualTo(8));
        }
        foreach (var bad in new[] { """{"text":""}""", """{"text":"   "}""", """{"text":"bell\u0007"}""", "{}", $$"""{"text":"{{new string('x', 4001)}}"}""" })
            await (await Key.PostAsync($"/v1/follow-ups/{item.Id}/notes", Json.Body(bad))).AssertProblem(400);
        await (await Key.PostAsync("/v1/follow-ups/fu_nope/notes", Json.Body("""{"text":"hi"}"""))).AssertProblem(404);
        Assert.That(App.Count("follow_up_notes"), Is.EqualTo(8));
    }

    [Test]
    public async Task TheList_FiltersByStatusAssigneeCategoryOverdueAndTrait()
    {
        await Key.PutAsync("/v1/follow-ups/settings", Json.Body("""{"openCategories":["detractor","passive"]}"""));
        await Answer("u1", 1, """{"csm":"Dana","arr":90000}""");
        await Answer("u2", 5, """{"csm":"Lee","arr":12000}""");
        await Answer("u3", 8, """{"csm":"Dana"}""");
        var all = (await List()).Items;
        Assert.That(all, Has.Count.EqualTo(3));
        var byUser = all.ToDictionary(f => f.Response.UserId);
        await (await Key.SendAsync(PatchRequest(byUser["u1"].Id, """{"assignee":"dana@acme.test","status":"in_progress"}"""))).ReadJson<FollowUpItem>();
        await (await Key.SendAsync(PatchRequest(byUser["u2"].Id, """{"status":"closed","outcome":"no_reply"}"""))).ReadJson<FollowUpItem>();

        static IEnumerable<string> Users(FollowUpPage page) => page.Items.Select(i => i.Response.UserId).Order();
        var dana = await App.MemberClient("dana@acme.test");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Users(await List("?status=open,in_progress")), Is.EqualTo(new[] { "u1", "u3" }));
            Assert.That(Users(await List("?status=closed")), Is.EqualTo(new[] { "u2" }));
            Assert.That(Users(await List("?assignee=me", dana)), Is.EqualTo(new[] { "u1" }));
            Assert.That(Users(await List($"?assignee={_danaId}")), Is.EqualTo(new[] { "u1" }));
            Assert.That(Users(await List("?assignee=none")), Is.EqualTo(new[] { "u2", "u3" }));
            Assert.That(Users(await List("?category=passive")), Is.EqualTo(new[] { "u3" }));
            Assert.That(Users(await List("?where[csm]=Dana")), Is.EqualTo(new[] { "u1", "u3" }));
            Assert.That(Users(await List("?where[csm]=Dana&status=open")), Is.EqualTo(new[] { "u3" }));
            Assert.That(Users(await List("?overdue=true")), Is.Empty);
        }
        App.Time.Advance(TimeSpan.FromDays(1.5));
        Assert.That(Users(await List("?overdue=true")), Is.EqualTo(new[] { "u1", "u3" }), "closed is never overdue");
        Assert.That(Users(await List("?overdue=false")), Is.EqualTo(new[] { "u2" }));
        Assert.That((await List("?overdue=true")).Items.All(i => i.Overdue));

        foreach (var (query, name) in new[]
                 {
                     ("?status=done", "status"), ("?category=angry", "category"), ("?overdue=yes", "overdue"), ("?sort=score", "sort"),
                     ("?assignee=me", "assignee"), ("?assignee=nobody@acme.test", "assignee"), ("?limit=0", "limit"), ("?cursor=zzz", "cursor"),
                     ("?filter[csm]=Dana", "filter[csm]"),
                 })
        {
            var problem = await (await Key.GetAsync("/v1/follow-ups" + query)).AssertProblem(400);
            Assert.That(problem.GetProperty("errors").TryGetProperty(name, out _), Is.True, query + " → " + problem);
        }
    }

    [Test]
    public async Task TheList_SortsByDueDateOrArr_AndCursorPagingVisitsEachOnceInOrder()
    {
        var arrs = new int?[] { 5000, null, 120000, 800, 40000, null, 9000 };
        for (var i = 0; i < arrs.Length; i++)
        {
            await Answer($"u{i}", 3, arrs[i] is { } arr ? $$"""{"arr":{{arr}}}""" : "{}");
            App.Time.Advance(TimeSpan.FromHours(1));
        }
        async Task<List<FollowUpItem>> All(string sort)
        {
            var seen = new List<FollowUpItem>();
            string? cursor = null;
            do
            {
                var page = await List($"?sort={sort}&limit=2" + (cursor is null ? "" : "&cursor=" + cursor));
                Assert.That(page.Items.Count, Is.LessThanOrEqualTo(2));
                seen.AddRange(page.Items);
                cursor = page.NextCursor;
            }
            while (cursor is not null);
            return seen;
        }
        static double? Arr(FollowUpItem f) => f.Response.Traits.TryGetProperty("arr", out var a) ? a.GetDouble() : null;

        var byArr = await All("-arr");
        var byArrUp = await All("arr");
        var byDue = await All("dueAt");
        var byDueDown = await All("-dueAt");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(byArr.Select(Arr), Is.EqualTo(new double?[] { 120000, 40000, 9000, 5000, 800, null, null }));
            Assert.That(byArrUp.Select(Arr), Is.EqualTo(new double?[] { 800, 5000, 9000, 40000, 120000, null, null }));
            Assert.That(byDue.Select(f => f.Response.UserId), Is.EqualTo(Enumerable.Range(0, 7).Select(i => $"u{i}")));
            Assert.That(byDueDown.Select(f => f.Response.UserId), Is.EqualTo(Enumerable.Range(0, 7).Reverse().Select(i => $"u{i}")));
            Assert.That(byArr.Select(f => f.Id).Distinct().Count(), Is.EqualTo(7));
        }
    }

    [Test]
    public async Task OpeningByHand_WorksOnceForAResponseOfTheWorkspace()
    {
        var promoter = await Answer("u1", 10);
        var opened = await Key.PostAsync("/v1/follow-ups", Json.Of(new { responseId = promoter, assignee = "dana@acme.test" }));
        var item = await opened.ReadJson<FollowUpItem>(201);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(opened.Headers.Location?.ToString(), Is.EqualTo($"/v1/follow-ups/{item.Id}"));
            Assert.That(item.Assignee?.Email, Is.EqualTo("dana@acme.test"));
            Assert.That(item.DueAt, Is.Null);
        }
        await (await Key.PostAsync("/v1/follow-ups", Json.Of(new { responseId = promoter }))).AssertProblem(409);
        await (await Key.PostAsync("/v1/follow-ups", Json.Of(new { responseId = 999999 }))).AssertProblem(404);
        await (await Key.PostAsync("/v1/follow-ups", Json.Body("{}"))).AssertProblem(400);
        Assert.That(App.Count("follow_ups"), Is.EqualTo(1));
    }

    [Test]
    public async Task AnotherWorkspace_SeesNothing_AndCannotChangeAnything()
    {
        await Answer("u1", 2);
        var item = await Only();
        var other = App.CreateWorkspace("Other");
        using var stranger = App.SecretClient(other.SecretKey);
        Assert.That((await List("", stranger)).Items, Is.Empty);
        await (await stranger.GetAsync($"/v1/follow-ups/{item.Id}")).AssertProblem(404);
        await (await stranger.SendAsync(PatchRequest(item.Id, """{"status":"closed"}"""))).AssertProblem(404);
        await (await stranger.PostAsync($"/v1/follow-ups/{item.Id}/notes", Json.Body("""{"text":"hi"}"""))).AssertProblem(404);
        await (await stranger.PostAsync("/v1/follow-ups", Json.Of(new { responseId = item.Response.Id }))).AssertProblem(404);
        Assert.That((await Only()).Version, Is.EqualTo(1));
    }

    [Test]
    public async Task AnAnalystManagesFollowUps_AViewerOnlyReadsThem()
    {
        await Answer("u1", 2);
        var item = await Only();
        var analyst = await App.MemberClient("dana@acme.test");
        var viewer = await App.MemberClient("vic@acme.test");
        await (await analyst.SendAsync(PatchRequest(item.Id, """{"assignee":"dana@acme.test"}"""))).ReadJson<FollowUpItem>();
        Assert.That((await List("", viewer)).Items.Single().Assignee?.Email, Is.EqualTo("dana@acme.test"));
        var refused = await (await viewer.SendAsync(PatchRequest(item.Id, """{"status":"closed"}"""))).AssertProblem(403);
        Assert.That(refused.GetProperty("detail").GetString(), Does.Contain(Permissions.ManageFollowUps));
        await (await viewer.PostAsync($"/v1/follow-ups/{item.Id}/notes", Json.Body("""{"text":"hi"}"""))).AssertProblem(403);
        await (await analyst.PutAsync("/v1/follow-ups/settings", Json.Body("""{"dueBusinessDays":3}"""))).AssertProblem(403);
    }

    [Test]
    public async Task ErasingTheUser_RemovesTheFollowUpAndItsNotes_AndClearsThemFromTheAuditLog()
    {
        await Answer("u1", 2);
        await Answer("u2", 2);
        var item = (await List()).Items.Single(i => i.Response.UserId == "u1");
        await Key.PostAsync($"/v1/follow-ups/{item.Id}/notes", Json.Body("""{"text":"Spoke to u1's manager"}"""));
        (await Key.DeleteAsync("/v1/users/u1")).EnsureSuccessStatusCode();
        using (Assert.EnterMultipleScope())
        {
            Assert.That((await List()).Items.Select(i => i.Response.UserId), Is.EqualTo(new[] { "u2" }));
            Assert.That(App.Count("follow_up_notes"), Is.Zero);
            Assert.That(App.Count("audit_log WHERE after LIKE '%manager%'"), Is.Zero);
        }
    }
}
