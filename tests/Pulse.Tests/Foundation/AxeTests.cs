using Pulse.Tests.Support;

namespace Pulse.Tests.Foundation;

/// <summary>
/// The suite's axe check (<see cref="Axe.ViolationsAsync"/>) finds what axe-core finds: nothing on a clean page,
/// the violations of a broken one (also under a CSP that forbids every script), and those inside a frame, which go
/// through the package's frame-aware run.
/// </summary>
public sealed class AxeTests : BrowserTest
{
    const string Clean = """<!doctype html><html lang="en"><head><title>Clean</title></head><body><main><h1>Hello</h1><button type="button">Save</button></main></body></html>""";

    static string Broken(string head = "") =>
        $"""<!doctype html><html lang="en"><head><title>Broken</title>{head}</head><body><main><h1>Broken</h1><img src="data:,"><button type="button"></button></main></body></html>""";

    static IEnumerable<string> Rules(IReadOnlyList<string> violations) => violations.Select(v => v.Split(' ')[0]).Order();

    [Test]
    public async Task ACleanPage_HasNone()
    {
        await Page.SetContentAsync(Clean);
        Assert.That(await Axe.ViolationsAsync(Page), Is.Empty);
    }

    [Test]
    public async Task ABrokenPage_HasItsViolations_TwiceInARow_AndUnderAStrictCsp()
    {
        await Page.SetContentAsync(Broken());
        var first = await Axe.ViolationsAsync(Page);
        var second = await Axe.ViolationsAsync(Page); // axe already injected
        await Page.SetContentAsync(Broken("""<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:">"""));
        var strict = await Axe.ViolationsAsync(Page);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Rules(first), Is.EqualTo(new[] { "button-name", "image-alt" }));
            Assert.That(first.Single(v => v.StartsWith("image-alt", StringComparison.Ordinal)), Does.Contain("(critical)").And.Contain("<img src=\"data:,\">"));
            Assert.That(second, Is.EqualTo(first));
            Assert.That(Rules(strict), Is.EqualTo(new[] { "button-name", "image-alt" }));
        }
    }

    [Test]
    public async Task AViolationInsideAFrame_IsFound()
    {
        await Page.SetContentAsync("""
            <!doctype html><html lang="en"><head><title>Framed</title></head><body><main><h1>Outer</h1>
            <iframe title="inner" srcdoc="<!doctype html><html lang=en><head><title>Inner</title></head><body><img src='data:,'></body></html>"></iframe>
            </main></body></html>
            """);
        await Page.FrameLocator("iframe").Locator("img").WaitForAsync(new() { State = Microsoft.Playwright.WaitForSelectorState.Attached });
        Assert.That(Rules(await Axe.ViolationsAsync(Page)), Is.EqualTo(new[] { "image-alt" }));
    }
}
