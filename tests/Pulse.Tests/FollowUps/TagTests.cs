using System.Globalization;
using System.Text.Json;
using CsvHelper;
using Pulse.Api.Analytics;
using Pulse.Api.FollowUps;
using Pulse.Api.Responses;
using Pulse.Api.Storage;
using Pulse.Api.Workspaces;
using Pulse.Tests.Support;

namespace Pulse.Tests.FollowUps;

/// <summary>
/// Tags: the workspace's list, tags put on and taken off responses in bulk, and tags as a filter
/// and a group everywhere responses are read — the response list, the CSV, follow-ups and NPS.
/// </summary>
[TestFixture(StorageProvider.Sqlite)]
[TestFixture(StorageProvider.Postgres, Category = TestCategories.Process)]
public sealed class TagTests(StorageProvider provider) : FollowUpFixture(provider)
{
    async Task<TagChangeResult> Tag(object change) => await (await Key.PostAsync("/v1/responses/tags", Json.Of(change))).ReadJson<TagChangeResult>();

    async Task<Dictionary<string, long>> Tags() =>
        (await (await Key.GetAsync("/v1/tags")).ReadJson<TagList>()).Items.ToDictionary(t => t.Name, t => t.Responses);

    [Test]
    public async Task TheTagList_CreatesOnce_IgnoringCase_CountsResponses_AndDeletingRemovesTheTagEverywhere()
    {
        await (await Key.PostAsync("/v1/tags", Json.Body("""{"name":" Pricing "}"""))).ReadJson<TagItem>(201);
        await (await Key.PostAsync("/v1/tags", Json.Body("""{"name":"pricing"}"""))).AssertProblem(409);
        foreach (var bad in new[] { """{"name":""}""", """{"name":"a,b"}""", """{"name":"x\u001b[31m"}""", $$"""{"name":"{{new string('t', 41)}}"}""", "{}" })
            await (await Key.PostAsync("/v1/tags", Json.Body(bad))).AssertProblem(400);
        var a = await Answer("u1", 3);
        var b = await Answer("u2", 9);
        await Tag(new { responseIds = new[] { a, b }, add = new[] { "pricing", "Onboarding" } });
        Assert.That(await Tags(), Is.EqualTo(new Dictionary<string, long> { ["Onboarding"] = 2, ["Pricing"] = 2 }), "the first spelling is kept");

        (await Key.DeleteAsync("/v1/tags/PRICING")).EnsureSuccessStatusCode();
        await (await Key.DeleteAsync("/v1/tags/pricing")).AssertProblem(404);
        Assert.That(await Tags(), Is.EqualTo(new Dictionary<string, long> { ["Onboarding"] = 2 }));
        Assert.That(App.Count("response_tags"), Is.EqualTo(2));
    }

    [Test]
    public async Task Bulk_AddsAndRemoves_OnEveryResponse_AndAnUnknownResponseChangesNothing()
    {
        var ids = new[] { await Answer("u1", 3), await Answer("u2", 5), await Answer("u3", 10) };
        var added = await Tag(new { responseIds = ids, add = new[] { "pricing", "bug" } });
        Assert.That(added.Items.Select(i => i.Tags), Is.All.EqualTo(new[] { "bug", "pricing" }));
        var removed = await Tag(new { responseIds = new[] { ids[2] }, remove = new[] { "BUG" } });
        Assert.That(removed.Items.Single(), Is.EqualTo(new ResponseTags(ids[2], ["pricing"])).Using<ResponseTags>((x, y) => x.ResponseId == y.ResponseId && x.Tags.SequenceEqual(y.Tags)));

        var other = App.CreateWorkspace("Other");
        var (_, token) = App.CreateDisplay(other.WorkspaceId, "stranger");
        var foreign = (await (await App.BrowserClient().PostAsync("/v1/responses", Json.Of(new { displayToken = token, score = 1 }))).ReadJson<SavedResponse>(201)).Id;
        await (await Key.PostAsync("/v1/responses/tags", Json.Of(new { responseIds = new[] { ids[0], foreign }, add = new[] { "late" } }))).AssertProblem(404);
        foreach (var (body, field) in new[]
                 {
                     ("""{"responseIds":[],"add":["x"]}""", "responseIds"),
                     ($$"""{"responseIds":[{{ids[0]}}]}""", "add"),
                     ($$"""{"responseIds":[{{ids[0]}}],"add":["a,b"]}""", "add"),
                     ($$"""{"responseIds":[{{ids[0]}}],"add":["x"],"remove":["X"]}""", "remove"),
                 })
        {
            var problem = await (await Key.PostAsync("/v1/responses/tags", Json.Body(body))).AssertProblem(400);
            Assert.That(problem.GetProperty("errors").TryGetProperty(field, out _), Is.True, body);
        }
        Assert.That(await Tags(), Is.EqualTo(new Dictionary<string, long> { ["bug"] = 2, ["pricing"] = 3 }), "nothing of the refused changes");

        (await Key.DeleteAsync("/v1/users/u1")).EnsureSuccessStatusCode();
        Assert.That(await Tags(), Is.EqualTo(new Dictionary<string, long> { ["bug"] = 1, ["pricing"] = 2 }), "erasure takes the user's tags");
    }

    [Test]
    public async Task TheResponseList_TheCsvAndFollowUps_ShowAndFilterByTag()
    {
        var detractor = await Answer("u1", 2);
        var promoter = await Answer("u2", 10);
        await Tag(new { responseIds = new[] { detractor }, add = new[] { "pricing" } });
        await Tag(new { responseIds = new[] { detractor, promoter }, add = new[] { "ui" } });

        var tagged = await (await Key.GetAsync("/v1/responses?tag=Pricing")).ReadJson<ResponsePage>();
        Assert.That(tagged.Items.Select(i => (i.Id, string.Join("|", i.Tags))), Is.EqualTo(new[] { (detractor, "pricing|ui") }));
        var all = await (await Key.GetAsync("/v1/responses")).ReadJson<ResponsePage>();
        Assert.That(all.Items.Single(i => i.Id == promoter).Tags, Is.EqualTo(new[] { "ui" }));

        using var reader = CsvReader.Create(await Key.GetStreamAsync("/v1/responses.csv?tag=ui"), CsvReaderOptions.Default with { Separator = ',' });
        var rows = new List<(string?, string?)>();
        while (reader.Read())
            rows.Add((reader.GetString("id"), reader.GetString("tags")));
        Assert.That(rows, Is.EquivalentTo(new[] { (detractor.ToString(CultureInfo.InvariantCulture), "pricing, ui"), (promoter.ToString(CultureInfo.InvariantCulture), "ui") }));

        var followUps = await (await Key.GetAsync("/v1/follow-ups?tag=pricing")).ReadJson<FollowUpPage>();
        Assert.That(followUps.Items.Single().Response.Tags, Is.EqualTo(new[] { "pricing", "ui" }));
        Assert.That((await (await Key.GetAsync("/v1/follow-ups?tag=nothing")).ReadJson<FollowUpPage>()).Items, Is.Empty);
        await (await Key.GetAsync("/v1/responses?tag=a,b")).AssertProblem(400);
    }

    [Test]
    public async Task Nps_FiltersByTag_AndGroupsByTag_CountingOnlyTaggedAnswers()
    {
        // pricing: 2 detractors, 1 promoter → NPS -33.3; ui: 1 detractor, 2 promoters → +33.3; one untagged passive.
        var scores = new (int Score, string[] Tags)[] { (1, ["pricing"]), (4, ["pricing", "ui"]), (10, ["pricing"]), (9, ["ui"]), (10, ["ui"]), (7, []) };
        for (var i = 0; i < scores.Length; i++)
        {
            var id = await Answer($"u{i}", scores[i].Score, i % 2 == 0 ? """{"plan":"pro"}""" : """{"plan":"free"}""");
            if (scores[i].Tags.Length > 0)
                await Tag(new { responseIds = new[] { id }, add = scores[i].Tags });
        }
        App.Time.Advance(TimeSpan.FromMinutes(1)); // a range ends now, excluded
        static double Nps(int promoters, int detractors, int all) => Math.Round(100.0 * (promoters - detractors) / all, 1);

        var pricing = await (await Key.GetAsync("/v1/metrics/nps?tag=pricing")).ReadJson<JsonElement>();
        var byTag = await (await Key.GetAsync("/v1/metrics/nps?groupBy=tag&interval=day")).ReadJson<JsonElement>();
        var detractorsByTag = await (await Key.GetAsync("/v1/metrics/nps?groupBy=tag&tag=ui")).ReadJson<JsonElement>();
        var pricingByPlan = await (await Key.GetAsync("/v1/metrics/nps?tag=pricing&groupBy=plan")).ReadJson<JsonElement>();
        var groups = byTag.GetProperty("groups").EnumerateArray().ToDictionary(g => g.GetProperty("value").GetString()!);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(pricing.GetProperty("responses").GetInt32(), Is.EqualTo(3));
            Assert.That(pricing.GetProperty("nps").GetDouble(), Is.EqualTo(Nps(1, 2, 3)).Within(0.05));
            Assert.That(byTag.GetProperty("responses").GetInt32(), Is.EqualTo(6), "the headline is every answer");
            Assert.That(groups.Keys, Is.EquivalentTo(new[] { "pricing", "ui" }));
            Assert.That(groups["pricing"].GetProperty("detractors").GetInt32(), Is.EqualTo(2));
            Assert.That(groups["ui"].GetProperty("nps").GetDouble(), Is.EqualTo(Nps(2, 1, 3)).Within(0.05));
            Assert.That(groups["ui"].GetProperty("series").EnumerateArray().Sum(p => p.GetProperty("responses").GetInt32()), Is.EqualTo(3));
            Assert.That(detractorsByTag.GetProperty("responses").GetInt32(), Is.EqualTo(3));
            Assert.That(detractorsByTag.GetProperty("groups").EnumerateArray().Select(g => g.GetProperty("value").GetString()), Is.EquivalentTo(new[] { "ui", "pricing" }),
                "tags that travel with ui");
            Assert.That(pricingByPlan.GetProperty("groups").EnumerateArray().ToDictionary(g => g.GetProperty("value").GetString()!, g => g.GetProperty("responses").GetInt32()),
                Is.EqualTo(new Dictionary<string, int> { ["pro"] = 2, ["free"] = 1 }));
        }
        await (await Key.GetAsync("/v1/metrics/nps?tag=")).AssertProblem(400);
    }
}
