// Widgets against small buffers pre-filled with a sentinel "x": any cell painted by mistake or missed shows.
import Screen
import Testing

@Test func sparklineScalesToMaximumAndRightAligns() {
    var b = ScreenBuffer(width: 12, height: 1, fill: "x")
    Sparkline(values: [0, 1, 2, 3, 4, 5, 6, 7, 8]).render(in: Rect(x: 0, y: 0, width: 12, height: 1), into: &b)
    #expect(b.rows == ["xxx ▁▂▃▄▅▆▇█"])
}

@Test func sparklineInAZeroRectDrawsNothing() {
    var b = ScreenBuffer(width: 3, height: 1, fill: "x")
    Sparkline(values: [1, 2]).render(in: Rect(x: 1, y: 0, width: 0, height: 1), into: &b)
    #expect(b.rows == ["xxx"])
}

@Test func gaugeFillsItsFractionWithALabel() {
    var b = ScreenBuffer(width: 12, height: 2, fill: "x")
    Gauge(fraction: 0.5, label: "50%").render(in: Rect(x: 1, y: 0, width: 10, height: 1), into: &b)
    #expect(b.rows == ["x███50%░░░░x", "xxxxxxxxxxxx"])
}

@Test func blockDrawsBorderAndTitleAndInsetsContent() {
    var b = ScreenBuffer(width: 10, height: 4, fill: "x")
    let block = Block(title: "Chat")
    block.render(in: Rect(x: 0, y: 0, width: 9, height: 3), into: &b)
    #expect(b.rows == ["┌ Chat ─┐x", "│xxxxxxx│x", "└───────┘x", "xxxxxxxxxx"])
    #expect(block.inner(of: Rect(x: 0, y: 0, width: 9, height: 3)) == Rect(x: 1, y: 1, width: 7, height: 1))
}

@Test func blockTooSmallForABorderDrawsNothing() {
    var b = ScreenBuffer(width: 3, height: 1, fill: "x")
    Block(title: "T").render(in: Rect(x: 0, y: 0, width: 3, height: 1), into: &b)
    #expect(b.rows == ["xxx"])
}

@Test func paragraphWrapsAndScrolls() {
    var b = ScreenBuffer(width: 6, height: 2, fill: "x")
    Paragraph("one two three four", scroll: 1).render(in: b.bounds, into: &b)
    #expect(b.rows == ["twoxxx", "threex"])
}

@Test func listHighlightsSelectionAndScrollsToIt() {
    var b = ScreenBuffer(width: 5, height: 2, fill: "x")
    var state = ListState(selected: 2)
    ListView(items: ["a", "b", "c"].map { StyledLine($0) }).render(in: b.bounds, into: &b, state: &state)
    #expect(b.rows == ["bxxxx", "c    "])
    #expect(state.offset == 1)
    #expect(b[1, 1].style.role == .selection)
}

@Test func tableTruncatesCellsAndAlignsNumbers() {
    var b = ScreenBuffer(width: 12, height: 3, fill: "x")
    let table = Table(columns: [.init("Name", width: 5), .init("tok/s", width: 6, alignRight: true)],
                      rows: [["abcdefgh", "12.5"]])
    table.render(in: b.bounds, into: &b)
    #expect(b.rows == ["Namexxxtok/s", "abcd…xxx12.5", "xxxxxxxxxxxx"])
}

@Test func tabsHighlightSelectedAndHitTest() {
    var b = ScreenBuffer(width: 20, height: 1, fill: "x")
    let tabs = Tabs(titles: ["Chat", "Models"], selected: 1)
    tabs.render(in: b.bounds, into: &b)
    #expect(b.rows == [" 1 Chat   2 Models  "])
    #expect(b[10, 0].style.role == .tabActive)
    #expect(tabs.hitTest(x: 2) == 0)
    #expect(tabs.hitTest(x: 12) == 1)
    #expect(tabs.hitTest(x: 8) == nil)
}

@Test func statusBarPutsRightItemsAtTheEdge() {
    var b = ScreenBuffer(width: 14, height: 1, fill: "x")
    StatusBar(left: [Span("model")], right: [Span("9 t/s")]).render(in: b.bounds, into: &b)
    #expect(b.rows == ["model    9 t/s"])
}

@Test func lineChartDrawsBrailleDots() {
    var b = ScreenBuffer(width: 3, height: 1, fill: "x")
    LineChart(values: [0, 1], maximum: 1).render(in: Rect(x: 0, y: 0, width: 1, height: 1), into: &b)
    #expect(b.rows == ["⣸xx"])   // 0 at the left dot column, then a step up to 1 joined on the right
}

@Test func widgetsNeverTrapInTinyOrEmptyRects() {
    for size in [Size(width: 0, height: 0), Size(width: 1, height: 1), Size(width: 2, height: 1)] {
        var b = ScreenBuffer(size: size)
        let r = b.bounds
        Block(title: "Title").render(in: r, into: &b)
        Paragraph("日本語 text 😀").render(in: r, into: &b)
        Gauge(fraction: 2, label: "overfull").render(in: r, into: &b)
        LineChart(values: [1, .nan, 3]).render(in: r, into: &b)
        Sparkline(values: [.infinity]).render(in: r, into: &b)
        Table(columns: [.init("a", width: 3)], rows: [["x"]]).render(in: r, into: &b)
        Tabs(titles: ["A"], selected: 0).render(in: r, into: &b)
        StatusBar(left: [Span("l")], right: [Span("r")]).render(in: r, into: &b)
        var list = ListState(selected: 9)
        ListView(items: []).render(in: r, into: &b, state: &list)
        TextInput(state: TextInputState("中文\nline")).render(in: r, into: &b)
    }
}
