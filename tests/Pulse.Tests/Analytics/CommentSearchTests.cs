using Dapper;
using Pulse.Api.Analytics;
using Pulse.Api.Storage;
using Pulse.Api.Workspaces;
using Pulse.Tests.Fakers;
using Pulse.Tests.Support;

namespace Pulse.Tests.Analytics;

/// <summary>
/// <c>q</c> through the comment index — SQLite's FTS5 table (decision P5), PostgreSQL's trigram index
/// (migration 0200) — finds exactly what the case-folded substring scan finds — non-ASCII text, quotes,
/// emoji, queries too short for trigrams, a NUL — and the index follows comment edits and erasure
/// (on SQLite the text leaves the FTS5 table; PostgreSQL's index is kept with the row).
/// </summary>
[TestFixture(StorageProvider.Sqlite)]
[TestFixture(StorageProvider.Postgres, Category = TestCategories.Process)]
public sealed class CommentSearchTests(StorageProvider provider)
{
    const string Origin = "https://app.acme.test";
    static readonly DateTimeOffset From = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    static readonly string[] Comments =
    [
        "Grüße aus München, alles gut", "MÜNCHEN office is slow", "ıstanbul team loves it", "Istanbul and izmir",
        "ΣΊΣΥΦΟΣ σίσυφος works", "naïve café UX", "straße und STRASSE", "🚀 rocket fast", "they said \"wow\" twice",
        "slow export", "Slowly getting better", "nothing to add", "日本語のコメント テスト", "100% sure_thing, see C:\\temp",
    ];

    static readonly string[] Queries =
    [
        "slow", "SLOW", "münchen", "MÜN", "ist", "İst", "ızm", "σίσ", "ΣΊΣ", "ïve", "CAFÉ", "straße", "strasse", "🚀 r",
        "\"wow\"", "id \"w", "slo\0w", "\0\uFFFD", "語のコ", "mü", "s", "export is", "rocket fast", "nowhere at all",
        // LIKE's wildcards and escape character are matched as themselves on PostgreSQL.
        "0% s", "e_th", ":\\te", "1_0", "e%g", "E\\T",
    ];

    PulseFactory _app = null!;
    CreatedWorkspace _acme = null!;
    HttpClient _http = null!;
    List<Seeded> _rows = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _app = new PulseFactory(provider: provider);
        _app.StartKestrel();
        _acme = _app.CreateWorkspace("Acme", [Origin]);
        _http = _app.SecretClient(_acme.SecretKey);
        var accounts = NpsFakers.Accounts(701).Generate(4);
        var users = NpsFakers.Users(702, accounts).Generate(Comments.Length * 2);
        var showings = users.Select((u, i) => new FakeShowing(u, From.AddHours(i), 5 + i % 6, TimeSpan.FromSeconds(20),
            i < Comments.Length ? Comments[i] : null, "en", "https://app.acme.test/p"));
        _rows = await new AnalyticsSeed(_app).AddAsync(_acme.WorkspaceId, showings);
    }

    [OneTimeTearDown]
    public void Stop()
    {
        _http.Dispose();
        _app.Dispose();
    }

    /// <summary>The ids <c>q</c> answers (all pages of 100), newest first.</summary>
    async Task<List<long>> Search(string q)
    {
        var page = await _http.GetAsync($"/v1/responses?from=2025-12-01&to=2026-02-01&limit=100&q={Uri.EscapeDataString(q)}")
            .ContinueWith(t => t.Result.ReadJson<ResponsePage>()).Unwrap();
        Assert.That(page.Total, Is.EqualTo(page.Items.Count), q);
        // A first page shorter than the matches counts them all: the total's own statement (decisions Q4).
        var first = await _http.GetAsync($"/v1/responses?from=2025-12-01&to=2026-02-01&limit=1&q={Uri.EscapeDataString(q)}")
            .ContinueWith(t => t.Result.ReadJson<ResponsePage>()).Unwrap();
        Assert.That(first.Total, Is.EqualTo(page.Items.Count), $"{q}: the total of a page of one");
        return page.Items.Select(i => i.Id).ToList();
    }

    /// <summary>The case-folded substring test the scan applies, over the stored comments.</summary>
    List<long> Scan(string q)
    {
        using var c = _app.Db.Open();
        return c.Query<(long Id, string? Comment)>("SELECT id, comment FROM responses ORDER BY created_at DESC, id DESC")
            .Where(r => r.Comment is not null && ResponseReadStore.Fold(r.Comment)!.Contains(ResponseReadStore.Fold(q)!, StringComparison.Ordinal))
            .Select(r => r.Id).ToList();
    }

    [Test]
    public async Task EveryQuery_AnswersWhatTheScanFinds()
    {
        foreach (var q in Queries)
            Assert.That(await Search(q), Is.EqualTo(Scan(q)), q);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Scan("slow"), Has.Count.EqualTo(3));
            Assert.That(Scan("münchen"), Has.Count.EqualTo(2));
            Assert.That(Scan("σίσ"), Has.Count.EqualTo(1));
            Assert.That(CommentSearch.PhraseOf(ResponseReadStore.Fold("mü")), Is.Null, "two characters: no trigram, the scan answers");
            Assert.That(CommentSearch.PhraseOf(ResponseReadStore.Fold("🚀 r")), Is.Not.Null, "three characters, one outside the BMP");
        }
        if (provider == StorageProvider.Sqlite)
        {
            using var c = _app.Db.Open();
            Assert.That(c.ExecuteScalar<long>("SELECT count(*) FROM comment_search"),
                Is.EqualTo(c.ExecuteScalar<long>("SELECT count(*) FROM responses WHERE comment <> ''")).And.GreaterThan(10));
        }
    }

    [Test]
    public async Task AnEditedComment_AndAnErasure_LeaveTheIndex()
    {
        var edited = _rows.Single(r => r.Showing.Comment == "nothing to add");
        _app.Time.AdjustTime(DateTimeOffset.FromUnixTimeMilliseconds(edited.AnsweredAt!.Value).AddMinutes(5));
        using (var browser = _app.BrowserClient(Origin))
        {
            var post = await browser.PostAsync("/v1/responses", Json.Of(new { displayToken = edited.Token, score = 7, comment = "Quokka sighting" }));
            Assert.That((int)post.StatusCode, Is.EqualTo(200), await post.Content.ReadAsStringAsync());
        }
        Assert.That(await Search("nothing to"), Is.Empty);
        Assert.That(await Search("quokka"), Is.EqualTo(new[] { edited.ResponseId!.Value }));

        var erased = _rows.Single(r => r.Showing.Comment == "🚀 rocket fast");
        (await _http.DeleteAsync($"/v1/users/{erased.Showing.User.UserId}")).EnsureSuccessStatusCode();
        Assert.That(await Search("rocket"), Is.Empty);
        using var c = _app.Db.Open();
        using (Assert.EnterMultipleScope())
        {
            if (provider == StorageProvider.Postgres)
            {
                Assert.That(c.ExecuteScalar<long>("SELECT count(*) FROM responses WHERE pulse_fold(comment) LIKE '%ROCKET%'"), Is.Zero);
            }
            else
            {
                Assert.That(c.ExecuteScalar<long>("SELECT count(*) FROM comment_search WHERE comment_search MATCH '\"ROCKET\"'"), Is.Zero, "the erased text is gone from the index");
                Assert.That(c.ExecuteScalar<long>("SELECT count(*) FROM comment_search WHERE comment_search MATCH '\"NOTHING\"'"), Is.Zero);
                Assert.That(c.ExecuteScalar<long>("SELECT count(*) FROM comment_search WHERE rowid NOT IN (SELECT id FROM responses)"), Is.Zero);
            }
        }
        foreach (var q in Queries)
            Assert.That(await Search(q), Is.EqualTo(Scan(q)), q);
    }

    [Test]
    public async Task Fill_IndexesCommentsWrittenWithoutTheHook_AsTheHookDoes()
    {
        if (provider == StorageProvider.Postgres)
        {
            // PostgreSQL keeps its trigram index with each row: there is nothing to fill, and Fill says so.
            Assert.That(await _app.Services.GetRequiredService<WriteQueue>().ExecuteAsync((c, tx) => CommentSearch.Fill(c, tx, force: true)), Is.False);
            return;
        }
        var (hooked, filled) = await Recomputation.Of(_app, "SELECT rowid || '|' || text FROM comment_search ORDER BY rowid",
            (c, tx) => CommentSearch.Fill(c, tx, force: true));
        Assert.That(hooked, Is.Not.Empty);
        Assert.That(hooked, Is.EqualTo(filled));
    }
}
