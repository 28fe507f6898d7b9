using System.Net;
using System.Text.Json;
using Pulse.Api.Analytics;
using Pulse.Api.FollowUps;
using Pulse.Api.Storage;
using Pulse.Tests.Support;

namespace Pulse.Tests.FollowUps;

/// <summary>
/// What the dashboard's response page reads: <c>GET /v1/responses/{id}</c> (the answer and the same
/// user's answers, oldest first) and <c>GET /v1/follow-ups?responseId=</c> (its follow-up), over real
/// HTTP on a real SQLite file; other workspaces' responses are not found; bad ids are 400/404 problems.
/// </summary>
[TestFixture(StorageProvider.Sqlite)]
[TestFixture(StorageProvider.Postgres, Category = TestCategories.Process)]
public sealed class ResponsePageApiTests(StorageProvider provider) : FollowUpFixture(provider)
{
    [Test]
    public async Task AResponse_ComesWithTheSameUsersAnswers_OldestFirst_AndNoOneElses()
    {
        var first = await Answer("ada", 9, """{"accountId":"acme"}""", "Love it");
        App.Time.Advance(TimeSpan.FromDays(95));
        await Answer("bob", 2, """{"accountId":"acme"}""");
        var second = await Answer("ada", 7);
        App.Time.Advance(TimeSpan.FromDays(95));
        var third = await Answer("ada", 3, comment: "Slow since the update");

        var detail = await (await Key.GetAsync($"/v1/responses/{second}")).ReadJson<ResponseDetail>();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(detail.Response.Id, Is.EqualTo(second));
            Assert.That(detail.Response.Score, Is.EqualTo(7));
            Assert.That(detail.UserResponses.Select(r => r.Id), Is.EqualTo(new[] { first, second, third }), "oldest first, every survey, this one among them");
            Assert.That(detail.UserResponses.Select(r => r.Score), Is.EqualTo(new[] { 9, 7, 3 }));
            Assert.That(detail.UserResponses.Select(r => r.UserId).Distinct(), Is.EqualTo(new[] { "ada" }));
            Assert.That(detail.UserResponses[0].Comment, Is.EqualTo("Love it"));
        }
    }

    [Test]
    public async Task AResponse_OfAnotherWorkspace_OrNotANumber_IsNotFound_AndChangesNothing()
    {
        var mine = await Answer("ada", 4);
        var other = App.CreateWorkspace("Other");
        using var otherKey = App.SecretClient(other.SecretKey);

        var foreign = await otherKey.GetAsync($"/v1/responses/{mine}");
        var word = await Key.GetAsync("/v1/responses/abc");
        var missing = await Key.GetAsync("/v1/responses/999999");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(foreign.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(foreign.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
            Assert.That(word.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That((await word.ReadJson<JsonElement>(404)).GetProperty("detail").GetString(), Does.Contain("no response 'abc'"));
            Assert.That(missing.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        }
    }

    [Test]
    public async Task TheFollowUpList_FiltersByResponse_AndRefusesABadId()
    {
        var first = await Answer("ada", 2);
        var second = await Answer("bob", 1);

        var page = await (await Key.GetAsync($"/v1/follow-ups?responseId={second}")).ReadJson<FollowUpPage>();
        var none = await (await Key.GetAsync($"/v1/follow-ups?responseId={first + second + 100}")).ReadJson<FollowUpPage>();
        var bad = await Key.GetAsync("/v1/follow-ups?responseId=-3");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(page.Items.Select(i => i.Response.Id), Is.EqualTo(new[] { second }));
            Assert.That(none.Items, Is.Empty);
            Assert.That(bad.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That((await bad.ReadJson<JsonElement>(400)).GetProperty("errors").TryGetProperty("responseId", out _), Is.True);
        }
    }
}
