using System.Text;
using System.Text.Json;
using Dapper;
using Pulse.Api.Workspaces;
using Pulse.Tests.Support;
using static Pulse.Tests.Eligibility.EligibilityCalls;

namespace Pulse.Tests.Eligibility;

/// <summary>
/// The bad-input matrix: each request gets a 4xx problem+json naming what is wrong, nothing is
/// written (row counts do not move), and never a 500.
/// </summary>
public sealed class EligibilityBadInputTests
{
    const string Origin = "https://app.acme.test";
    const string Sql = "'; DROP TABLE end_users; --";
    const string Html = "<script>alert(1)</script>";

    PulseFactory _app = null!;
    CreatedWorkspace _strict = null!;
    CreatedWorkspace _open = null!;

    [OneTimeSetUp]
    public void Start()
    {
        _app = new PulseFactory();
        _ = _app.Server;
        _strict = _app.CreateWorkspace("Strict", [Origin]);
        _open = _app.CreateWorkspace("Open", ["https://open.acme.test"], requireUserHash: false);
    }

    [OneTimeTearDown]
    public void Stop() => _app.Dispose();

    /// <summary>One row of the matrix. The body may use $SITE, $OPEN and $HASH (a valid hash of u-1 for the strict workspace).</summary>
    public sealed record Case(string Name, string Body, int Status, string? Field = null, string Origin = Origin, string? Bearer = null)
    {
        public override string ToString() => Name;
    }

    static string Valid(string extra = "", string user = """{ "id": "u-1", "createdAt": "2025-01-01T00:00:00Z" }""") =>
        $$"""{ "siteKey": "$SITE", "userHash": "$HASH", "user": {{user}}{{extra}} }""";

    static string WithUser(string userFields) => Valid(user: $$"""{ "id": "u-1", {{userFields}} }""");

    static string Quote(string value) => JsonSerializer.Serialize(value);

    static string ManyTraits(int n) =>
        "{" + string.Join(",", Enumerable.Range(0, n).Select(i => $"\"t{i}\": {i}")) + "}";

    public static IEnumerable<Case> Cases()
    {
        // Malformed JSON and wrong types.
        yield return new("malformed JSON", """{ "siteKey": "$SITE", "user": { """, 400);
        yield return new("body is an array", "[1, 2]", 400);
        yield return new("body is null", "null", 400, "JSON object");
        yield return new("body is empty", "", 400, "JSON object");
        yield return new("user is a string", Valid(user: "\"u-1\""), 400, "$.user");
        yield return new("user.id is a number", Valid(user: """{ "id": 5 }"""), 400, "$.user.id");
        yield return new("traits is an array", WithUser("\"traits\": [1]"), 400, "$.user.traits");
        yield return new("createdAt is not a date", WithUser("\"createdAt\": \"yesterday\""), 400, "$.user.createdAt");
        yield return new("force is a string", Valid(", \"force\": \"yes\""), 400, "$.force");
        yield return new("event is a number", Valid(", \"event\": 7"), 400, "$.event");
        yield return new("locale is an object", Valid(", \"locale\": {}"), 400, "$.locale");
        yield return new("siteKey is a number", """{ "siteKey": 5, "user": { "id": "u-1" } }""", 400, "$.siteKey");
        yield return new("trait value is an object", WithUser("\"traits\": { \"x\": { \"a\": 1 } }"), 400, "user.traits.x");
        yield return new("trait value is an array", WithUser("\"traits\": { \"x\": [1] }"), 400, "user.traits.x");
        yield return new("trait number overflows", WithUser("\"traits\": { \"x\": 1e400 }"), 400, "user.traits.x");

        // Size.
        yield return new("body over 16 KB", Valid($", \"pad\": \"{new string('x', 17 * 1024)}\""), 413);

        // Who is calling.
        yield return new("unknown site key", Valid().Replace("$SITE", "pk_unknownunknownunknown0", StringComparison.Ordinal), 401);
        yield return new("missing site key", """{ "user": { "id": "u-1" } }""", 401);
        yield return new("secret key as site key", Valid().Replace("$SITE", "sk_abc", StringComparison.Ordinal), 401);
        yield return new("SQL as site key", Valid().Replace("$SITE", Sql, StringComparison.Ordinal), 401);
        yield return new("HTML as site key", Valid().Replace("$SITE", Html, StringComparison.Ordinal), 401);
        yield return new("wrong origin", Valid(), 403, Origin: "https://evil.test");
        yield return new("no origin, workspace without userHash", """{ "siteKey": "$OPEN", "user": { "id": "u-1" } }""", 403, Origin: "");
        yield return new("unknown secret key", """{ "user": { "id": "u-1" } }""", 401, Bearer: "sk_unknownunknownunknownunknownunknown000");
        yield return new("SQL as secret key", """{ "user": { "id": "u-1" } }""", 401, Bearer: "sk_" + Sql);

        // Identity verification.
        yield return new("missing userHash", Valid().Replace("\"userHash\": \"$HASH\", ", "", StringComparison.Ordinal), 401);
        yield return new("userHash of another user", Valid().Replace("$HASH", "$OTHERHASH", StringComparison.Ordinal), 401);
        yield return new("userHash not hex", Valid().Replace("$HASH", new string('z', 64), StringComparison.Ordinal), 401);
        yield return new("SQL as userHash", Valid().Replace("\"$HASH\"", Quote(Sql), StringComparison.Ordinal), 401);
        yield return new("HTML as userHash", Valid().Replace("\"$HASH\"", Quote(Html), StringComparison.Ordinal), 401);
        yield return new("force from a production site key", Valid(", \"force\": true"), 403);

        // Limits.
        yield return new("51 traits", WithUser($"\"traits\": {ManyTraits(51)}"), 400, "user.traits");
        yield return new("missing user", """{ "siteKey": "$SITE", "userHash": "$HASH" }""", 400, "user");
        yield return new("missing user.id", Valid(user: "{ \"email\": \"a@b.co\" }"), 400, "user.id");
        yield return new("blank user.id", Valid(user: "{ \"id\": \"   \" }"), 400, "user.id");
        yield return new("control character in user.id", Valid(user: "{ \"id\": \"u-1\\u0000\" }"), 400, "user.id");
        yield return new("user.id of 257 characters", Valid(user: $"{{ \"id\": \"{new string('u', 257)}\" }}"), 400, "user.id");
        yield return new("email of 321 characters", WithUser($"\"email\": \"{new string('a', 60)}@{string.Join('.', Enumerable.Repeat(new string('b', 50), 5))}.abcde\""), 400, "user.email");
        yield return new("url of 2049 characters", Valid($", \"url\": \"https://app.acme.test/{new string('p', 2049 - 22)}\""), 400, "url");
        yield return new("trait string of 257 characters", WithUser($"\"traits\": {{ \"plan\": \"{new string('p', 257)}\" }}"), 400, "user.traits.plan");
        yield return new("trait key of 65 characters", WithUser($"\"traits\": {{ \"{new string('k', 65)}\": 1 }}"), 400, "user.traits");
        yield return new("event of 65 characters", Valid($", \"event\": \"{new string('e', 65)}\""), 400, "event");
        yield return new("locale of 36 characters", Valid($", \"locale\": \"de-{new string('a', 33)}\""), 400, "locale");
        yield return new("userHash of 129 characters", Valid().Replace("$HASH", new string('a', 129), StringComparison.Ordinal), 400, "userHash");

        // SQL and HTML in every field that has a format.
        foreach (var (label, payload) in new[] { ("SQL", Sql), ("HTML", Html), ("SQL in an address", "x@a.co' OR '1'='1"), ("HTML in an address", "<b>x</b>@a.co") })
        {
            yield return new($"{label} as email", WithUser($"\"email\": {Quote(payload)}"), 400, "user.email");
            yield return new($"{label} as url", Valid($", \"url\": {Quote(payload)}"), 400, "url");
            yield return new($"{label} as event", Valid($", \"event\": {Quote(payload)}"), 400, "event");
            yield return new($"{label} as locale", Valid($", \"locale\": {Quote(payload)}"), 400, "locale");
            yield return new($"{label} as trait key", WithUser($"\"traits\": {{ {Quote(payload)}: 1 }}"), 400, "user.traits");
        }
        yield return new("javascript: url", Valid(", \"url\": \"javascript:alert(1)\""), 400, "url");
    }

    [TestCaseSource(nameof(Cases))]
    public async Task BadInput_Is4xxProblemJson_AndWritesNothing(Case c)
    {
        var body = c.Body
            .Replace("$SITE", _strict.SiteKey, StringComparison.Ordinal)
            .Replace("$OPEN", _open.SiteKey, StringComparison.Ordinal)
            .Replace("$OTHERHASH", Keys.UserHash(_strict.IdentitySecret, "u-2"), StringComparison.Ordinal)
            .Replace("$HASH", Keys.UserHash(_strict.IdentitySecret, "u-1"), StringComparison.Ordinal);
        using var http = _app.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/eligibility")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        if (c.Origin.Length > 0)
            request.Headers.Add("Origin", c.Origin);
        if (c.Bearer is not null)
            request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + c.Bearer);
        var before = Rows(_app.Db);

        var response = await http.SendAsync(request);

        var problem = await response.AssertProblem(c.Status);
        Assert.That(Rows(_app.Db), Is.EqualTo(before), "nothing written");
        if (c.Field is not null)
            Assert.That(problem.ToString(), Does.Contain(c.Field), "the problem names the field");
    }

    [Test]
    public async Task FreeTextFields_WithSqlAndHtml_AreStoredVerbatimAsText()
    {
        // The user id and trait values are the vendor's own free text: any printable character is
        // allowed, bound as a parameter and stored as written. Nothing is executed or interpreted.
        var userId = Sql + Html;
        var traits = new Dictionary<string, string> { ["accountName"] = "<img src=x onerror=alert(1)>", ["csm"] = "Robert'); DROP TABLE displays;--" };
        using var http = _app.SecretClient(_strict.SecretKey);

        var answer = await http.Check(new { user = new { id = userId, createdAt = _app.Time.GetUtcNow().AddDays(-90), traits } });

        using var c = _app.Db.Open();
        var row = c.QuerySingle("SELECT user_id, traits FROM end_users WHERE workspace_id = @W AND user_id = @U", new { W = _strict.WorkspaceId, U = userId });
        var stored = JsonSerializer.Deserialize<Dictionary<string, string>>((string)row.traits)!;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(answer.Eligible, Is.True);
            Assert.That((string)row.user_id, Is.EqualTo(userId));
            Assert.That(stored, Is.EqualTo(traits));
            Assert.That(c.ExecuteScalar<long>("SELECT COUNT(*) FROM sqlite_master WHERE name IN ('end_users', 'displays')"), Is.EqualTo(2));
            Assert.That(Displays(_app.Db, _strict.WorkspaceId, userId), Is.EqualTo(1));
        }
    }

    [Test]
    public async Task FiftyTraitsOfTheLongestValues_AreAccepted()
    {
        var traits = Enumerable.Range(0, 50).ToDictionary(i => $"k{i:00}", i => new string('v', 256));
        using var http = _app.SecretClient(_strict.SecretKey);

        var response = await http.PostAsync("/v1/eligibility", Json.Of(new { user = new { id = "u-max", traits } }));

        Assert.That((int)response.StatusCode, Is.EqualTo(200), await response.Content.ReadAsStringAsync());
    }
}
