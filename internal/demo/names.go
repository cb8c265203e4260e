package demo

import (
	"math/rand/v2"
	"strings"
)

// Generated names: common surnames and given-name characters, so demo
// people look like a roster without being anyone.
var (
	surnames = []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严洪")
	given    = []rune("伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华玉兰萍红鹏辉建文斌宇浩凯晨阳佳欣怡婷雪琳晶志成德海波东林峰宁慧鑫俊鸿振雄锦源泉")
	// enterprise name parts
	entWords    = []string{"鸿", "盛", "泰", "华", "兴", "恒", "达", "信", "源", "丰", "荣", "宏", "永", "金", "祥", "瑞", "嘉", "腾", "晟", "锦", "翔", "利", "德", "昌"}
	industries  = []string{"机械制造", "鞋服纺织", "食品饮料", "家居建材", "电子信息", "新材料", "体育用品", "包装印刷", "汽车配件", "医疗器械"}
	industryTag = map[string][]string{
		"机械制造": {"机械", "精工", "齿轮", "重工"},
		"鞋服纺织": {"鞋业", "织造", "服饰", "纺织"},
		"食品饮料": {"食品", "饮料", "糖果", "烘焙"},
		"家居建材": {"木业", "家居", "建材", "陶瓷"},
		"电子信息": {"电子", "科技", "智能", "光电"},
		"新材料":  {"新材料", "化纤", "高分子", "复合材料"},
		"体育用品": {"体育", "运动", "户外", "体育用品"},
		"包装印刷": {"包装", "印刷", "纸业", "彩印"},
		"汽车配件": {"汽配", "车业", "动力", "传动"},
		"医疗器械": {"医疗", "生物", "卫材", "健康"},
	}
	streets = []string{"安东路", "五里大道", "食品园路", "世纪大道", "科技路", "工业路", "福埔路", "灵源路", "兴业路", "锦绣路"}
	tagPool = []string{"志愿者", "青年突击队", "技术能手", "调解员", "导师", "退役军人", "服务专员"}
)

func personName(r *rand.Rand) string {
	n := 1 + r.IntN(2)
	var b strings.Builder
	b.WriteRune(surnames[r.IntN(len(surnames))])
	for range n {
		b.WriteRune(given[r.IntN(len(given))])
	}
	return b.String()
}

func enterpriseName(r *rand.Rand, industry string) string {
	w := entWords[r.IntN(len(entWords))] + entWords[r.IntN(len(entWords))]
	tags := industryTag[industry]
	return "晋江市" + w + tags[r.IntN(len(tags))] + "有限公司（示例）"
}
