using Pulse.Tests.Support;

namespace Pulse.Tests.Foundation;

/// <summary>The guard that keeps Chromium and child processes out of the fast run.</summary>
public sealed class TestCategoriesTests
{
    [Test]
    public void Require_InATestWithoutTheCategory_Throws()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => TestCategories.Require(TestCategories.Browser));
        Assert.That(ex!.Message, Does.Contain(nameof(Require_InATestWithoutTheCategory_Throws)).And.Contain("[Category(TestCategories.Browser)]"));
    }

    [Test]
    [Category(TestCategories.Process)]
    public void Require_InATestWithTheCategory_Passes() =>
        Assert.DoesNotThrow(() => TestCategories.Require(TestCategories.Process));

    /// <summary>The guard sits in the helpers; a test that started a process by itself would bypass it.</summary>
    [Test]
    public void Tests_StartProcessesOnlyThroughTheHelpersThatCheckTheCategory()
    {
        var needle = "Process" + ".Start(";
        var direct = Directory.EnumerateFiles(Repository.Path("tests/Pulse.Tests"), "*.cs", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(Repository.Root, f).Replace('\\', '/'))
            .Where(f => !f.Contains("/obj/", StringComparison.Ordinal) && !f.Contains("/bin/", StringComparison.Ordinal) && !f.StartsWith("tests/Pulse.Tests/Support/", StringComparison.Ordinal))
            .Where(f => Repository.Read(f).Contains(needle, StringComparison.Ordinal));
        Assert.That(direct, Is.Empty, "start processes with Shell.RunAsync or ApiProcess (tests/Pulse.Tests/Support), which check the Process category");
    }
}

/// <summary>A base class like <see cref="BrowserTest"/>: its category covers the fixtures derived from it.</summary>
[Category(TestCategories.Browser)]
public abstract class CategorizedFixture;

public sealed class TestCategoriesInheritedTests : CategorizedFixture
{
    [Test]
    public void Require_InAFixtureWhoseBaseHasTheCategory_Passes() =>
        Assert.DoesNotThrow(() => TestCategories.Require(TestCategories.Browser));
}
