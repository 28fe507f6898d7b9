using System.Text.Json;
using Pulse.Api.Access;

namespace Pulse.Tests.Team;

/// <summary>
/// What an audit entry stores of a value: its JSON without any property that may hold a secret. Flat values (only
/// scalars, the anonymous objects most entries log) take a direct path; these pin that it strips the same names.
/// </summary>
public sealed class AuditRedactTests
{
    [Test]
    public void FlatValue_WithoutSecrets_IsItsJson()
    {
        var at = new DateTimeOffset(2026, 12, 2, 3, 4, 5, TimeSpan.Zero);
        var json = Audit.Redact(new { responseId = 7L, status = "open", assignee = (string?)null, dueAt = at, score = 3 })!;
        using var doc = JsonDocument.Parse(json);
        Assert.Multiple(() =>
        {
            Assert.That(doc.RootElement.GetProperty("responseId").GetInt64(), Is.EqualTo(7));
            Assert.That(doc.RootElement.GetProperty("status").GetString(), Is.EqualTo("open"));
            Assert.That(doc.RootElement.GetProperty("dueAt").GetDateTimeOffset(), Is.EqualTo(at));
            Assert.That(doc.RootElement.GetProperty("score").GetInt32(), Is.EqualTo(3));
        });
    }

    [Test]
    public void FlatValue_WithSecretNames_LosesThem()
    {
        var json = Audit.Redact(new { id = "wh_1", secret = "whsec_abc", password = "hunter2", displayToken = "dt_x", link = "https://a.test/x", url = "https://a.test" })!;
        using var doc = JsonDocument.Parse(json);
        var names = doc.RootElement.EnumerateObject().Select(p => p.Name).ToList();
        Assert.That(names, Is.EquivalentTo(new[] { "id", "url" }));
        Assert.That(json, Does.Not.Contain("whsec_abc").And.Not.Contain("hunter2").And.Not.Contain("dt_x"));
    }

    [Test]
    public void NestedValue_LosesSecretsAtEveryDepth()
    {
        var json = Audit.Redact(new { id = "x", settings = new { apiToken = "t0p", name = "n" }, list = new[] { new { password = "p", ok = 1 } } })!;
        Assert.That(json, Does.Not.Contain("t0p").And.Not.Contain("\"p\""));
        Assert.That(json, Does.Contain("\"name\":\"n\"").And.Contain("\"ok\":1"));
    }
}
