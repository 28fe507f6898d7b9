using System.Text.Json;
using Dapper;
using Pulse.Tests.Support;

namespace Pulse.Tests.Links;

/// <summary>Shared steps of the link tests: creating a link, its token, and the rows it leaves.</summary>
static class LinkCalls
{
    /// <summary>Creates a link with a secret-key client; asserts 201 and returns the answer.</summary>
    public static async Task<JsonElement> CreateLink(this HttpClient server, object body)
    {
        var response = await server.PostAsync("/v1/survey-links", Json.Of(body));
        var text = await response.Content.ReadAsStringAsync();
        Assert.That((int)response.StatusCode, Is.EqualTo(201), text);
        return JsonDocument.Parse(text).RootElement;
    }

    /// <summary>The link's path, <c>/s/{token}</c>.</summary>
    public static string PathOf(JsonElement link) => link.GetProperty("path").GetString()!;

    public static (long Links, long Displays, long Responses) Rows(PulseFactory app)
    {
        using var c = app.Db.Open();
        return (c.ExecuteScalar<long>("SELECT COUNT(*) FROM survey_links"), c.ExecuteScalar<long>("SELECT COUNT(*) FROM displays"),
            c.ExecuteScalar<long>("SELECT COUNT(*) FROM responses"));
    }

    /// <summary>The channels of the displays, in id order.</summary>
    public static List<string> Channels(PulseFactory app)
    {
        using var c = app.Db.Open();
        return c.Query<string>("SELECT channel FROM displays ORDER BY id").ToList();
    }
}
