using System.Text.Json;
using Pulse.Api.Workspaces;
using Pulse.Tests.Fakers;
using Pulse.Tests.Support;

namespace Pulse.Tests.Analytics;

/// <summary>
/// Creates showings through the public endpoints, as a vendor's server and the widget would:
/// <c>POST /v1/eligibility</c> with the secret key and <c>force</c> (rules aside, every showing
/// becomes a display) at the showing's time, then <c>POST /v1/responses</c> with the display token
/// at the answer's time. Showings go in waves of distinct users that share one time, posted
/// concurrently, so the write queue commits each wave together instead of one fsync per request.
/// </summary>
public static class ApiSeed
{
    /// <summary>Makes the showings of a wave share the first one's shown and answer times (the data the test then expects).</summary>
    public static List<List<FakeShowing>> Waves(IEnumerable<FakeShowing> showings, int waveSize = 12)
    {
        var waves = new List<List<FakeShowing>>();
        List<FakeShowing>? wave = null;
        foreach (var s in showings.OrderBy(s => s.ShownAt))
        {
            if (wave is null || wave.Count == waveSize || wave.Any(w => w.User.UserId == s.User.UserId))
                waves.Add(wave = []);
            wave.Add(wave.Count == 0 ? s : s with { ShownAt = wave[0].ShownAt, AnswerAfter = wave[0].AnswerAfter });
        }
        return waves;
    }

    public static async Task<List<Seeded>> AddAsync(PulseFactory app, CreatedWorkspace workspace, string origin, IEnumerable<FakeShowing> showings,
        int waveSize = 12)
    {
        using var server = app.SecretClient(workspace.SecretKey);
        using var browser = app.BrowserClient(origin);
        var result = new List<Seeded>();
        foreach (var wave in Waves(showings, waveSize))
        {
            var shownAt = wave[0].ShownAt;
            app.Time.AdjustTime(shownAt);
            var tokens = await Task.WhenAll(wave.Select(async s =>
            {
                var answer = await (await server.PostAsync("/v1/eligibility", Json.Of(new
                {
                    user = new { id = s.User.UserId, email = s.User.Email, traits = s.User.Traits() },
                    locale = s.Locale,
                    url = s.Url,
                    force = true,
                }))).ReadJson<JsonElement>();
                Assert.That(answer.GetProperty("eligible").GetBoolean(), Is.True, answer.ToString());
                return answer.GetProperty("displayToken").GetString()!;
            }));

            var answeredAt = shownAt + wave[0].AnswerAfter;
            app.Time.AdjustTime(answeredAt);
            var ids = await Task.WhenAll(wave.Select(async (s, i) =>
            {
                if (s.Score is null)
                    return (long?)null;
                var saved = await (await browser.PostAsync("/v1/responses", Json.Of(new { displayToken = tokens[i], score = s.Score, comment = s.Comment })))
                    .ReadJson<JsonElement>(201);
                return saved.GetProperty("id").GetInt64();
            }));
            result.AddRange(wave.Select((s, i) => new Seeded(s, "", 0, tokens[i], ids[i], shownAt.ToUnixTimeMilliseconds(),
                s.Score is null ? null : answeredAt.ToUnixTimeMilliseconds())));
        }
        return result;
    }
}
