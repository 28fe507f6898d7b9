using System.Text.Json;
using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace Pulse.Tests.Support;

/// <summary>
/// axe-core over a page: the violations, one line each (rule, impact, help, the elements' selectors and markup).
/// <para>
/// A page without frames is checked in place: the axe-core that Deque.AxeCore.Playwright bundles is injected once
/// into the page and <c>axe.run</c> reports only the violations. The package's <c>RunAxe</c> is frame-aware: it runs
/// axe in every frame and finishes the run in a new page it opens, about 2 seconds a call on top of the check itself,
/// which over the suite's ~90 checks cost minutes of CI (docs/decisions.md T-S3). A page with a frame still goes
/// through <c>RunAxe</c>, so frames are never skipped. Same engine, same version, same default rules either way.
/// </para>
/// </summary>
public static class Axe
{
    const string Resource = "Deque.AxeCore.Commons.Resources.axe.min.js";

    static readonly Lazy<string> Source = new(() =>
    {
        using var stream = typeof(AxeResult).Assembly.GetManifestResourceStream(Resource)
            ?? throw new InvalidOperationException($"{Resource} is not in Deque.AxeCore.Commons any more: check how this package version bundles axe-core.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    });

    const string Run = """
        async () => {
          const r = await window.axe.run(document, { resultTypes: ['violations'], iframes: false });
          return r.violations.map(v => ({ id: v.id, impact: v.impact ?? '', help: v.help,
            nodes: v.nodes.map(n => JSON.stringify(n.target) + ' ' + n.html) }));
        }
        """;

    static readonly JsonSerializerOptions WebJson = new(JsonSerializerDefaults.Web);

    sealed record Found(string Id, string Impact, string Help, string[] Nodes);

    /// <summary>The page's axe violations as it is now; empty when axe finds none.</summary>
    public static async Task<IReadOnlyList<string>> ViolationsAsync(IPage page)
    {
        if (await page.EvaluateAsync<bool>("() => document.querySelector('iframe, frame') !== null"))
            return [.. (await page.RunAxe()).Violations.Select(v =>
                Line(v.Id, v.Impact ?? "", v.Help, v.Nodes.Select(n => $"{n.Target} {n.Html}")))];
        if (!await page.EvaluateAsync<bool>("() => typeof window.axe === 'object' && typeof window.axe.run === 'function'"))
            await page.EvaluateAsync(Source.Value);
        var found = await page.EvaluateAsync<JsonElement>(Run);
        return [.. found.Deserialize<Found[]>(WebJson)!.Select(f => Line(f.Id, f.Impact, f.Help, f.Nodes))];
    }

    static string Line(string id, string impact, string help, IEnumerable<string> nodes) =>
        $"{id} ({impact}) {help}: {string.Join(" | ", nodes)}";
}
