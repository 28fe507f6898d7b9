using Pulse.Api.Widget;

namespace Pulse.Tests.Widget;

public sealed class ScriptMinifierTests
{
    [TestCase("var a = 1;  // one\nvar b = 2; /* two */", "var a=1;var b=2;")]
    [TestCase("/* header\n comment */\nfunction f ( x ) {\n  return x + 1;\n}\n", "function f(x){return x+1;}")]
    [TestCase("if (a) {\n  b();\n}\nelse {\n  c();\n}", "if(a){b();}\nelse{c();}")]
    [TestCase("x = a + +b; y = a - -b; z = a++ + b;", "x=a+ +b;y=a- -b;z=a++ +b;")]
    [TestCase("n = 1 .toString();", "n=1 .toString();")]
    [TestCase("typeof  x === 'undefined'", "typeof x==='undefined'")]
    public void CommentsAndWhitespace_Go(string source, string expected) =>
        Assert.That(ScriptMinifier.Minify(source), Is.EqualTo(expected));

    [TestCase("s = 'a // not a comment /* nor this */  b';")]
    [TestCase("s = \"it's  \\\" quoted // \";")]
    [TestCase("u = 'https://example.com/widget/';")]
    [TestCase("r = /[/]\\/ +'\"/g.test(s);")]
    [TestCase("r = x.replace(/ {2}/,'$&  $&');")]
    public void StringsAndRegexes_AreCopiedVerbatim(string source) =>
        Assert.That(ScriptMinifier.Minify(source), Is.EqualTo(source.Replace(" = ", "=", StringComparison.Ordinal)));

    [TestCase("return\nvalue", "return\nvalue")]
    [TestCase("a = b\n++c", "a=b\n++c")]
    [TestCase("a = b\n(c || d).e()", "a=b\n(c||d).e()")]
    [TestCase("f(a,\n  b)\n.then(g)", "f(a,b).then(g)")]
    [TestCase("a = {}\n++b", "a={}\n++b")]
    public void LineBreaks_StayWhereSemicolonInsertionMayNeedThem(string source, string expected) =>
        Assert.That(ScriptMinifier.Minify(source), Is.EqualTo(expected));

    [Test]
    public void Division_IsNotARegex() =>
        Assert.That(ScriptMinifier.Minify("x = (a) / 2 / b; y = c / d"), Is.EqualTo("x=(a)/2/b;y=c/d"));

    [Test]
    public void RegexAfterReturn_IsARegex() =>
        Assert.That(ScriptMinifier.Minify("return /a b/.test(s)"), Is.EqualTo("return/a b/.test(s)"));

    [TestCase("s = `template`;")]
    [TestCase("s = 'unterminated;")]
    [TestCase("s = 'line\nbreak';")]
    [TestCase("/* never closed")]
    [TestCase("r = /unterminated")]
    public void WhatItCannotHandle_IsRefused(string source) =>
        Assert.Throws<FormatException>(() => ScriptMinifier.Minify(source));

    [Test]
    public void Widget_KeepsEveryStringLiteral_AndLosesEveryComment()
    {
        var source = WidgetAssets.Current.Source;
        var minified = ScriptMinifier.Minify(source);
        var code = string.Join('\n', source.Split('\n').Where(line => !line.TrimStart().StartsWith('*') && !line.TrimStart().StartsWith("/*", StringComparison.Ordinal) && !line.TrimStart().StartsWith("//", StringComparison.Ordinal)));
        var literals = System.Text.RegularExpressions.Regex.Matches(code, @"'(?:[^'\\\n]|\\.)*'").Select(m => m.Value).ToList();

        Assert.That(literals, Has.Count.GreaterThan(50));
        using (Assert.EnterMultipleScope())
        {
            foreach (var literal in literals)
                Assert.That(minified, Does.Contain(literal));
            Assert.That(minified, Does.Not.Contain("/*"));
            Assert.That(minified, Does.Not.Match(@"(^|[;{}])\s*//"));
            Assert.That(ScriptMinifier.Minify(minified), Is.EqualTo(minified), "minifying twice changes nothing");
        }
    }
}
