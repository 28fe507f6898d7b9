using System.Text.Json;
using Dapper;
using Pulse.Api.Eligibility;
using Pulse.Api.Storage;
using Pulse.Tests.Support;

namespace Pulse.Tests.Eligibility;

/// <summary>Shared steps of the eligibility tests: request bodies, calls and row counts.</summary>
static class EligibilityCalls
{
    /// <summary>A user signed up long enough ago to pass the default 30-day first-survey delay.</summary>
    public static Dictionary<string, object?> User(string id, DateTimeOffset now, object? traits = null, string? email = null, int signedUpDaysAgo = 60)
    {
        var user = new Dictionary<string, object?> { ["id"] = id, ["createdAt"] = now.AddDays(-signedUpDaysAgo) };
        if (traits is not null)
            user["traits"] = traits;
        if (email is not null)
            user["email"] = email;
        return user;
    }

    public static async Task<EligibilityResponse> Check(this HttpClient http, object body)
    {
        var response = await http.PostAsync("/v1/eligibility", Json.Of(body));
        return await response.ReadJson<EligibilityResponse>();
    }

    /// <summary>A server-side call (secret key client): no site key or userHash needed.</summary>
    public static Task<EligibilityResponse> CheckUser(this HttpClient http, Dictionary<string, object?> user, string? eventName = null,
        string? locale = null, string? url = null, bool? force = null) =>
        http.Check(new { user, @event = eventName, locale, url, force });

    public static (long Users, long Displays) Rows(Db db)
    {
        using var c = db.Open();
        return (c.ExecuteScalar<long>("SELECT COUNT(*) FROM end_users"), c.ExecuteScalar<long>("SELECT COUNT(*) FROM displays"));
    }

    public static long Displays(Db db, string workspaceId, string userId)
    {
        using var c = db.Open();
        return c.ExecuteScalar<long>("SELECT COUNT(*) FROM displays WHERE workspace_id = @W AND user_id = @U", new { W = workspaceId, U = userId });
    }

    public static string DefaultSurveyId(Db db, string workspaceId)
    {
        using var c = db.Open();
        return c.ExecuteScalar<string>("SELECT id FROM surveys WHERE workspace_id = @W ORDER BY created_at LIMIT 1", new { W = workspaceId })!;
    }

    public static JsonElement Traits(object traits) => JsonSerializer.SerializeToElement(traits);
}
